import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { renderingChoice } from '../imaging/initImaging.js';
import { useAppInfoStore } from '../stores/useAppInfoStore.js';
import { useUiStore } from '../stores/useUiStore.js';
import { Dialog } from './Dialog.js';
import { useErrorMessage } from './useErrorMessage.js';

export function AboutDialog() {
  const { t } = useTranslation();
  const info = useAppInfoStore((state) => state.info);
  const load = useAppInfoStore((state) => state.load);
  const close = useUiStore((state) => state.closeDialog);
  const errorMessage = useErrorMessage();
  const [error, setError] = useState<unknown>(null);
  const rendering = renderingChoice();

  useEffect(() => {
    load().catch(setError);
  }, [load]);

  return (
    <Dialog
      title={t('about.title')}
      testId="about-dialog"
      onClose={close}
      footer={
        <button type="button" className="button" onClick={close}>
          {t('about.close')}
        </button>
      }
    >
      <p className="about__statement" data-testid="about-statement">
        {t('about.statement')}
      </p>
      {error ? <p className="error-text">{errorMessage(error)}</p> : null}
      {info ? (
        <dl className="about__facts">
          <dt>{t('about.version')}</dt>
          <dd data-testid="about-version">
            {info.productName} {info.version}
          </dd>
          <dt>{t('about.host')}</dt>
          <dd>
            {info.host === 'electron' ? t('about.hostElectron') : t('about.hostWeb')} · {info.platform} ·{' '}
            {rendering.mode === 'cpu' ? t('viewer.renderingCpu') : t('viewer.renderingGpu')}
          </dd>
          <dt>{t('about.dataDir')}</dt>
          <dd className="about__path">{info.dataDir}</dd>
        </dl>
      ) : (
        !error && <p>{t('app.loading')}</p>
      )}
    </Dialog>
  );
}
