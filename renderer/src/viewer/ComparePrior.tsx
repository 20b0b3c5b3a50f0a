/**
 * "Compare with prior": lists the patient's other studies in the catalog (same Patient ID) and
 * opens the chosen one beside the current study: the current series on the left, the prior's
 * matching series (same modality, same description if any) on the right.
 */
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StudySummary } from '../../../shared/contract.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { formatDicomDate } from '../i18n/format.js';
import { useViewerStore } from '../stores/useViewerStore.js';
import { useEscapeCloses } from './panels.js';

/** The patient's other studies, newest first. The catalog's search finds the ID; the match is exact. */
export async function otherStudiesOf(study: StudySummary): Promise<StudySummary[]> {
  if (!study.patientId.trim()) return [];
  const { studies } = await host.api.call('catalog.listStudies', {
    search: study.patientId,
    sort: { field: 'studyDate', direction: 'desc' },
    limit: 1000,
  });
  return studies.filter(
    (other) => other.patientId === study.patientId && other.studyInstanceUID !== study.studyInstanceUID,
  );
}

type Priors =
  | { state: 'closed' }
  | { state: 'loading' }
  | { state: 'ready'; studies: StudySummary[] }
  | { state: 'failed'; error: unknown };

export function ComparePrior({ study }: { study: StudySummary }) {
  const { t, i18n } = useTranslation();
  const errorMessage = useErrorMessage();
  const openComparison = useViewerStore((state) => state.openComparison);
  const [priors, setPriors] = useState<Priors>({ state: 'closed' });
  const close = useCallback(() => setPriors({ state: 'closed' }), []);
  useEscapeCloses(priors.state !== 'closed', close);

  const toggle = () => {
    if (priors.state !== 'closed') {
      close();
      return;
    }
    setPriors({ state: 'loading' });
    otherStudiesOf(study)
      .then((studies) => setPriors({ state: 'ready', studies }))
      .catch((error: unknown) => setPriors({ state: 'failed', error }));
  };

  const pick = async (prior: StudySummary) => {
    try {
      const detail = await host.api.call('catalog.getStudy', { studyInstanceUID: prior.studyInstanceUID });
      openComparison(detail);
      close();
    } catch (error) {
      setPriors({ state: 'failed', error });
    }
  };

  return (
    <div className="compare-prior">
      <button
        type="button"
        className="button button--ghost compare-prior__button"
        data-testid="compare-prior"
        title={t('layouts.compareTitle')}
        aria-expanded={priors.state !== 'closed'}
        onClick={toggle}
      >
        {t('layouts.compare')}
      </button>
      {priors.state !== 'closed' ? (
        <div
          className="compare-prior__list"
          data-testid="prior-list"
          role="listbox"
          aria-label={t('layouts.priorsTitle')}
        >
          {priors.state === 'loading' ? <p className="hint">…</p> : null}
          {priors.state === 'failed' ? (
            <p className="error-text">{t('layouts.priorsFailed', { message: errorMessage(priors.error) })}</p>
          ) : null}
          {priors.state === 'ready' && priors.studies.length === 0 ? (
            <p className="hint" data-testid="no-priors">
              {t('layouts.noPriors')}
            </p>
          ) : null}
          {priors.state === 'ready'
            ? priors.studies.map((prior) => (
                <button
                  key={prior.studyInstanceUID}
                  type="button"
                  role="option"
                  aria-selected={false}
                  className="compare-prior__study"
                  data-testid="prior-study"
                  data-study-uid={prior.studyInstanceUID}
                  onClick={() => void pick(prior)}
                >
                  <span>{formatDicomDate(prior.studyDate, i18n.language)}</span>
                  <span className="compare-prior__meta">
                    {[prior.studyDescription, prior.modalities.join('/')].filter(Boolean).join(' · ')}
                  </span>
                </button>
              ))
            : null}
        </div>
      ) : null}
    </div>
  );
}
