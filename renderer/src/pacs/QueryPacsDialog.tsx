/** Query a PACS node (C-FIND) and retrieve chosen studies into the worklist (C-MOVE), with progress. */
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type PacsNode,
  type PacsRetrieveProgress,
  type PacsStudyMatch,
  startingRetrieve,
} from '../../../shared/pacs.js';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { formatDicomDate, formatPersonName } from '../i18n/format.js';
import './pacs.css';

const EMPTY_QUERY = {
  patientName: '',
  patientId: '',
  accessionNumber: '',
  dateFrom: '',
  dateTo: '',
  modality: '',
};

/** <input type="date"> gives YYYY-MM-DD; DICOM wants YYYYMMDD. */
const dicomDate = (value: string) => value.replaceAll('-', '');

export function QueryPacsDialog({ onClose }: { onClose(): void }) {
  const { t, i18n } = useTranslation();
  const errorMessage = useErrorMessage();
  const [nodes, setNodes] = useState<PacsNode[] | null>(null);
  const [nodeId, setNodeId] = useState<number | null>(null);
  const [query, setQuery] = useState(EMPTY_QUERY);
  const [results, setResults] = useState<{ studies: PacsStudyMatch[]; truncated: boolean } | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<PacsRetrieveProgress | null>(null);

  useEffect(() => {
    void host.api.call('pacs.listNodes', {}).then((list) => {
      setNodes(list);
      setNodeId(list[0]?.id ?? null);
    });
  }, []);

  useEffect(
    () =>
      host.api.on('pacs.retrieveProgress', (event) => {
        setProgress((current) => (current && current.jobId === event.jobId ? event : current));
      }),
    [],
  );

  const search = async (event: FormEvent) => {
    event.preventDefault();
    if (nodeId === null) return;
    setBusy(true);
    setError(null);
    try {
      const found = await host.api.call('pacs.find', {
        nodeId,
        ...query,
        dateFrom: dicomDate(query.dateFrom),
        dateTo: dicomDate(query.dateTo),
      });
      setResults(found);
      setChosen(
        new Set(found.studies.filter((study) => !study.local).map((study) => study.studyInstanceUID)),
      );
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const retrieve = async () => {
    if (nodeId === null || chosen.size === 0) return;
    setError(null);
    try {
      const { jobId } = await host.api.call('pacs.retrieve', { nodeId, studyInstanceUIDs: [...chosen] });
      setProgress(startingRetrieve(jobId, nodeId, [...chosen]));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const running = progress?.phase === 'running';
  const field = (key: keyof typeof EMPTY_QUERY, label: string, type = 'text') => (
    <label>
      {label}
      <input
        type={type}
        data-testid={`pacs-query-${key}`}
        value={query[key]}
        onChange={(event) => setQuery({ ...query, [key]: event.target.value })}
      />
    </label>
  );

  return (
    <Dialog
      title={t('pacs.queryTitle')}
      testId="pacs-query"
      onClose={onClose}
      wide
      footer={
        <>
          {running ? (
            <button
              type="button"
              className="button"
              data-testid="pacs-cancel"
              onClick={() => void host.api.call('pacs.cancelRetrieve', { jobId: progress.jobId })}
            >
              {t('pacs.cancel')}
            </button>
          ) : null}
          <button
            type="button"
            className="button button--primary"
            data-testid="pacs-retrieve"
            disabled={running || chosen.size === 0}
            onClick={() => void retrieve()}
          >
            {t('pacs.retrieve')}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t('pacs.close')}
          </button>
        </>
      }
    >
      {nodes && nodes.length === 0 ? <p className="hint">{t('pacs.needNode')}</p> : null}
      <form className="pacs-form" onSubmit={(event) => void search(event)}>
        <div className="pacs-row">
          <label>
            {t('pacs.node')}
            <select
              data-testid="pacs-query-node"
              value={nodeId ?? ''}
              onChange={(event) => setNodeId(Number(event.target.value))}
            >
              {(nodes ?? []).map((node) => (
                <option key={node.id} value={node.id}>
                  {node.name} ({node.aeTitle})
                </option>
              ))}
            </select>
          </label>
          {field('patientName', t('pacs.patientName'))}
          {field('patientId', t('pacs.patientId'))}
          {field('accessionNumber', t('pacs.accession'))}
        </div>
        <div className="pacs-row">
          {field('dateFrom', t('pacs.dateFrom'), 'date')}
          {field('dateTo', t('pacs.dateTo'), 'date')}
          {field('modality', t('pacs.modality'))}
          <button
            type="submit"
            className="button button--primary"
            data-testid="pacs-search"
            disabled={busy || nodeId === null}
          >
            {busy ? t('pacs.searching') : t('pacs.search')}
          </button>
        </div>
      </form>
      {error ? (
        <p className="pacs-message pacs-message--error" role="alert" data-testid="pacs-error">
          {error}
        </p>
      ) : null}
      {results ? (
        <>
          <p className="hint" data-testid="pacs-result-count">
            {results.studies.length === 0
              ? t('pacs.noResults')
              : t('pacs.results', { count: results.studies.length })}
            {results.truncated ? ` ${t('pacs.truncated')}` : ''}
          </p>
          <table className="pacs-table" data-testid="pacs-results">
            <tbody>
              {results.studies.map((study) => (
                <tr
                  key={study.studyInstanceUID}
                  data-testid="pacs-result"
                  data-study-uid={study.studyInstanceUID}
                >
                  <td>
                    <input
                      type="checkbox"
                      aria-label={study.studyInstanceUID}
                      checked={chosen.has(study.studyInstanceUID)}
                      onChange={(event) => {
                        const next = new Set(chosen);
                        if (event.target.checked) next.add(study.studyInstanceUID);
                        else next.delete(study.studyInstanceUID);
                        setChosen(next);
                      }}
                    />
                  </td>
                  <td>{formatPersonName(study.patientName)}</td>
                  <td>{study.patientId}</td>
                  <td>{formatDicomDate(study.studyDate, i18n.language)}</td>
                  <td>{study.modalities}</td>
                  <td>{study.studyDescription}</td>
                  <td>{study.accessionNumber}</td>
                  <td>{study.numberOfInstances ?? ''}</td>
                  <td>{study.local ? t('pacs.local') : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {progress ? (
        <div className="pacs-progress" data-testid="pacs-progress" data-phase={progress.phase} role="status">
          {progress.phase === 'running' ? (
            <>
              <progress max={progress.total ?? undefined} value={progress.completed} />
              {progress.total !== null
                ? t('pacs.progress', { completed: progress.completed, total: progress.total })
                : t('pacs.progressUnknown', { completed: progress.completed })}
            </>
          ) : progress.phase === 'done' ? (
            t('pacs.done', { completed: progress.completed })
          ) : progress.phase === 'cancelled' ? (
            t('pacs.cancelled')
          ) : (
            t('pacs.failed', { message: progress.error ?? '' })
          )}
        </div>
      ) : null}
    </Dialog>
  );
}
