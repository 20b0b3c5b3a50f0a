/**
 * The scrolling table a status lists its problems in: what (a file, an object), and why, with any
 * columns between (import status: refused files, SR and SEG objects with problems; PACS settings:
 * received objects with problems). Rows are the caller's.
 */
import type { ReactNode } from 'react';

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
