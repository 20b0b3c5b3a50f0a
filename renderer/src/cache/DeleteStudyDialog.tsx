/**
 * Confirms deleting a study (or every study of a patient) from this workstation: files, catalog
 * rows, annotations and linkage entries go for good (main/cache/delete.ts, docs/cache.md).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { useCacheStore } from '../stores/useCacheStore.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';
import './cache.css';

export function DeleteStudyDialog() {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const pending = useCacheStore((state) => state.pendingDelete);
  const cancel = useCacheStore((state) => state.cancelDelete);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!pending) return null;
  const { kind, study } = pending;

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      if (kind === 'study')
        await host.api.call('cache.deleteStudy', { studyInstanceUID: study.studyInstanceUID });
      else await host.api.call('cache.deletePatient', { patientId: study.patientId });
      await useWorklistStore.getState().selectStudy(null);
      await useWorklistStore.getState().refresh();
      cancel();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={kind === 'study' ? t('cache.delete.studyTitle') : t('cache.delete.patientTitle')}
      testId="delete-dialog"
      onClose={() => (busy ? undefined : cancel())}
      footer={
        <>
          <button
            type="button"
            className="button"
            data-testid="delete-cancel"
            disabled={busy}
            onClick={cancel}
          >
            {t('cache.delete.cancel')}
          </button>
          <button
            type="button"
            className="button button--danger"
            data-testid="delete-confirm"
            disabled={busy}
            onClick={() => void confirm()}
          >
            {kind === 'study' ? t('cache.delete.confirmStudy') : t('cache.delete.confirmPatient')}
          </button>
        </>
      }
    >
      <p data-testid="delete-what">
        {kind === 'study'
          ? t('cache.delete.studyText', {
              name: study.patientName || study.patientId,
              description: study.studyDescription || study.studyDate,
            })
          : t('cache.delete.patientText', {
              name: study.patientName || study.patientId,
              id: study.patientId,
            })}
      </p>
      <p>{t('cache.delete.warning')}</p>
      {error ? (
        <p className="error-text" role="alert" data-testid="delete-error">
          {errorMessage(error)}
        </p>
      ) : null}
    </Dialog>
  );
}
