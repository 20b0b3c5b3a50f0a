/**
 * Shifting DA and DT values by whole days. Invalid or partial values that cannot be shifted are
 * reported by returning null, and the caller removes them rather than keep a real date.
 */

function shiftYmd(year: number, month: number, day: number, days: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  date.setUTCDate(date.getUTCDate() + days);
  const y = date.getUTCFullYear();
  if (y < 1 || y > 9999) return null;
  return `${String(y).padStart(4, '0')}${String(date.getUTCMonth() + 1).padStart(2, '0')}${String(date.getUTCDate()).padStart(2, '0')}`;
}

/** One DA value (YYYYMMDD, or the ACR-NEMA YYYY.MM.DD form), or null when it is not a date. */
export function shiftDate(value: string, days: number): string | null {
  const match = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(value.trim());
  if (!match) return null;
  return shiftYmd(Number(match[1]), Number(match[2]), Number(match[3]), days);
}

/** One DT value: the date part shifts, time and UTC offset stay. Year-only or year-month values shift by whole years/months is not meaningful, so they are refused. */
export function shiftDateTime(value: string, days: number): string | null {
  const match = /^(\d{4})(\d{2})(\d{2})(.*)$/.exec(value.trim());
  if (!match) return null;
  const rest = match[4]!;
  if (!/^(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?([+-]\d{4})?$/.test(rest)) return null;
  const date = shiftYmd(Number(match[1]), Number(match[2]), Number(match[3]), days);
  return date === null ? null : date + rest;
}

/** Multi-valued (backslash-separated) DA/DT; null when any component cannot be shifted. */
export function shiftTemporal(vr: 'DA' | 'DT', value: string, days: number): string | null {
  if (value.trim() === '') return '';
  // A DA range query form (from-to) is not expected in stored objects; ranges are refused.
  const parts = value
    .split('\\')
    .map((part) => (vr === 'DA' ? shiftDate(part, days) : shiftDateTime(part, days)));
  return parts.some((part) => part === null) ? null : parts.join('\\');
}

/** Age in years between two DA values, or null. */
export function yearsBetween(birth: string, at: string): number | null {
  const b = /^(\d{4})(\d{2})(\d{2})$/.exec(birth.trim());
  const a = /^(\d{4})(\d{2})(\d{2})$/.exec(at.trim());
  if (!b || !a) return null;
  let years = Number(a[1]) - Number(b[1]);
  if (Number(a[2]) * 100 + Number(a[3]) < Number(b[2]) * 100 + Number(b[3])) years -= 1;
  return years >= 0 ? years : null;
}

/** PatientAge (AS) in years, or null for a malformed value. */
export function ageInYears(value: string): number | null {
  const match = /^(\d{3})([DWMY])$/.exec(value.trim());
  if (!match) return null;
  const n = Number(match[1]);
  switch (match[2]) {
    case 'Y':
      return n;
    case 'M':
      return Math.floor(n / 12);
    case 'W':
      return Math.floor(n / 52);
    default:
      return Math.floor(n / 365);
  }
}
