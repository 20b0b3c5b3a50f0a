/**
 * The studies table. Sorting is server-side on the contract's sortable fields (patient names by
 * their pinyin/folded key, catalog/search-keys.ts). Click, Ctrl/⌘+click and Shift+click choose
 * studies; right-click opens the study menu. At narrow widths the table scrolls sideways with the
 * patient's name kept in view (worklist.css).
 */
import type { MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { StudySortField, StudySummary } from '../../../shared/contract.js';
import { formatDicomDate, formatNumber, formatPersonName } from '../i18n/format.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';
import './worklist.css';

type Column =
  | 'patientName'
  | 'patientId'
  | 'patientBirthDate'
  | 'patientSex'
  | 'studyDate'
  | 'studyDescription'
  | 'modalities'
  | 'numberOfSeries'
  | 'numberOfInstances'
  | 'annotation';

const columns: { id: Column; sortField?: StudySortField; numeric?: boolean }[] = [
  { id: 'patientName', sortField: 'patientName' },
  { id: 'patientId', sortField: 'patientId' },
  { id: 'patientBirthDate' },
  { id: 'patientSex' },
  { id: 'studyDate', sortField: 'studyDate' },
  // The labeling status, where it is seen without scrolling sideways.
  { id: 'annotation' },
  { id: 'studyDescription', sortField: 'studyDescription' },
  { id: 'modalities', sortField: 'modalities' },
  { id: 'numberOfSeries', numeric: true },
  { id: 'numberOfInstances', sortField: 'numberOfInstances', numeric: true },
];

interface StudyTableProps {
  onOpen(study: StudySummary): void;
  /** Right-click on a study (already chosen by then): where, and which. */
  onMenu(study: StudySummary, x: number, y: number): void;
}

export function StudyTable({ onOpen, onMenu }: StudyTableProps) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const studies = useWorklistStore((state) => state.studies);
  const sort = useWorklistStore((state) => state.sort);
  const selected = useWorklistStore((state) => state.selectedStudyUID);
  const selection = useWorklistStore((state) => state.selection);
  const shownSearch = useWorklistStore((state) => state.shownSearch);
  const loading = useWorklistStore((state) => state.loading);
  const toggleSort = useWorklistStore((state) => state.toggleSort);
  const clickStudy = useWorklistStore((state) => state.clickStudy);
  const chosen = new Set(selection);

  const onRowClick = (event: MouseEvent, study: StudySummary) => {
    const mode = event.shiftKey ? 'range' : event.ctrlKey || event.metaKey ? 'toggle' : 'single';
    clickStudy(study.studyInstanceUID, mode);
  };
  const onRowMenu = (event: MouseEvent, study: StudySummary) => {
    event.preventDefault();
    // A right-click outside the chosen studies chooses that one; inside, the choice stays.
    if (!chosen.has(study.studyInstanceUID)) clickStudy(study.studyInstanceUID, 'single');
    onMenu(study, event.clientX, event.clientY);
  };

  const cell = (study: StudySummary, column: Column): string => {
    switch (column) {
      case 'patientName':
        return formatPersonName(study.patientName);
      case 'patientBirthDate':
        return formatDicomDate(study.patientBirthDate, locale);
      case 'studyDate':
        return formatDicomDate(study.studyDate, locale);
      case 'patientSex':
        return study.patientSex === 'M' || study.patientSex === 'F' || study.patientSex === 'O'
          ? t(`worklist.sex.${study.patientSex}`)
          : study.patientSex;
      case 'modalities':
        return study.modalities.join(', ');
      case 'numberOfSeries':
      case 'numberOfInstances':
        return formatNumber(study[column], locale);
      case 'annotation': {
        // none / draft n / complete / verified (main/annotation/store.ts studyStatus).
        const annotation = study.annotation;
        if (!annotation || annotation.status === 'none') return t('annotationStatus.none');
        const status =
          annotation.status === 'draft'
            ? t('annotationStatus.draft', { count: annotation.annotations })
            : t(`annotationStatus.${annotation.status}`);
        // AI findings: "AI reviewed" once the reader decided them all (docs/ai-review.md).
        const ai = annotation.ai;
        if (!ai || ai.findings === 0) return status;
        return ai.decided === ai.findings
          ? `${status} · ${t('ai.reviewed')}`
          : `${status} · ${t('ai.count', { decided: ai.decided, count: ai.findings })}`;
      }
      default:
        return study[column];
    }
  };

  return (
    <table
      className="study-table"
      data-testid="study-table"
      data-search={shownSearch}
      aria-busy={loading}
      aria-multiselectable="true"
      data-sort={`${sort.field}:${sort.direction}`}
    >
      <thead>
        <tr>
          {columns.map(({ id, sortField, numeric }) => {
            const active = sortField !== undefined && sort.field === sortField;
            const ariaSort = active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined;
            return (
              <th
                key={id}
                className={numeric ? 'numeric' : undefined}
                aria-sort={ariaSort}
                scope="col"
                data-column={id}
              >
                {sortField ? (
                  <button
                    type="button"
                    className="sort-button"
                    data-testid={`sort-${id}`}
                    title={t('worklist.sortBy', { column: t(`worklist.columns.${id}`) })}
                    onClick={() => toggleSort(sortField)}
                  >
                    {t(`worklist.columns.${id}`)}
                    <span className="sort-indicator" aria-hidden="true">
                      {active ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                ) : (
                  t(`worklist.columns.${id}`)
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {studies.map((study) => {
          const isFocused = study.studyInstanceUID === selected;
          const isChosen = chosen.has(study.studyInstanceUID);
          return (
            <tr
              key={study.studyInstanceUID}
              className={
                [isChosen ? 'selected' : '', isFocused ? 'focused' : ''].filter(Boolean).join(' ') ||
                undefined
              }
              aria-selected={isChosen}
              data-focused={isFocused || undefined}
              data-testid="study-row"
              data-study-uid={study.studyInstanceUID}
              onMouseDown={(event) => {
                // Shift+click chooses a range; it should not select the page's text too.
                if (event.shiftKey) event.preventDefault();
              }}
              onClick={(event) => onRowClick(event, study)}
              onDoubleClick={() => onOpen(study)}
              onContextMenu={(event) => onRowMenu(event, study)}
            >
              {columns.map(({ id, numeric }) => {
                const text = cell(study, id);
                return (
                  <td
                    key={id}
                    className={numeric ? 'numeric' : undefined}
                    data-column={id}
                    data-status={id === 'annotation' ? (study.annotation?.status ?? 'none') : undefined}
                    title={text || undefined}
                  >
                    {text}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
