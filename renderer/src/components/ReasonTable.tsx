/**
 * The scrolling table a status lists its problems in: what (a file, an object), and why, with any
 * columns between (import status: refused files, SR and SEG objects with problems; PACS settings:
 * received objects with problems). Rows are the caller's; the cells for an SR or SEG object and
 * for main's reasons are here, as both lists show them.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function ReasonTable({ columns, children }: { columns: readonly string[]; children: ReactNode }) {
  return (
    <div className="import-errors__scroll">
      <table className="import-errors__table">
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** An SR or SEG object's cell: its kind and SOP Instance UID ("Segmentation 1.2.3…"). */
export function AnnotationObjectCell({ kind, uid }: { kind: 'sr' | 'seg' | 'other'; uid: string }) {
  const { t } = useTranslation();
  return (
    <td className="import-errors__path" title={uid}>
      <span>{t('import.annotationObject', { kind: t(`import.annotationKind.${kind}`), uid })}</span>
    </td>
  );
}

/** Main's reasons, one a line: specific and in English, as the refused files' are. */
export function ReasonsCell({ problems, testId }: { problems: readonly string[]; testId: string }) {
  return (
    <td>
      {problems.map((problem, index) => (
        <div key={index} className="import-errors__reason" data-testid={testId}>
          {problem}
        </div>
      ))}
    </td>
  );
}
