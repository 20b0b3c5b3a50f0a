/** The studies table. Sorting is server-side on the contract's sortable fields. */
import { useTranslation } from 'react-i18next';
import type { StudySortField, StudySummary } from '../../../shared/contract.js';
import { formatDicomDate, formatNumber, formatPersonName } from '../i18n/format.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';

type Column =
  | 'patientName'
  | 'patientId'
  | 'patientBirthDate'
  | 'patientSex'
  | 'studyDate'
  | 'studyDescription'
  | 'modalities'
  | 'numberOfSeries'
  | 'numberOfInstances';

const columns: { id: Column; sortField?: StudySortField; numeric?: boolean }[] = [
  { id: 'patientName', sortField: 'patientName' },
  { id: 'patientId', sortField: 'patientId' },
  { id: 'patientBirthDate' },
  { id: 'patientSex' },
  { id: 'studyDate', sortField: 'studyDate' },
  { id: 'studyDescription', sortField: 'studyDescription' },
  { id: 'modalities', sortField: 'modalities' },
  { id: 'numberOfSeries', numeric: true },
  { id: 'numberOfInstances', sortField: 'numberOfInstances', numeric: true },
];

interface StudyTableProps {
  onOpen(study: StudySummary): void;
}

export function StudyTable({ onOpen }: StudyTableProps) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const studies = useWorklistStore((state) => state.studies);
  const sort = useWorklistStore((state) => state.sort);
  const selected = useWorklistStore((state) => state.selectedStudyUID);
  const shownSearch = useWorklistStore((state) => state.shownSearch);
  const loading = useWorklistStore((state) => state.loading);
  const toggleSort = useWorklistStore((state) => state.toggleSort);
  const selectStudy = useWorklistStore((state) => state.selectStudy);

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
      default:
        return study[column];
    }
  };

  return (
    <table className="study-table" data-testid="study-table" data-search={shownSearch} aria-busy={loading}>
      <thead>
        <tr>
          {columns.map(({ id, sortField, numeric }) => {
            const active = sortField !== undefined && sort.field === sortField;
            const ariaSort = active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined;
            return (
              <th key={id} className={numeric ? 'numeric' : undefined} aria-sort={ariaSort} scope="col">
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
          const isSelected = study.studyInstanceUID === selected;
          return (
            <tr
              key={study.studyInstanceUID}
              className={isSelected ? 'selected' : undefined}
              aria-selected={isSelected}
              data-testid="study-row"
              data-study-uid={study.studyInstanceUID}
              onClick={() => void selectStudy(study.studyInstanceUID)}
              onDoubleClick={() => onOpen(study)}
            >
              {columns.map(({ id, numeric }) => (
                <td key={id} className={numeric ? 'numeric' : undefined} data-column={id}>
                  {cell(study, id)}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
