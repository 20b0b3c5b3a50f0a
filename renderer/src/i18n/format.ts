/**
 * Locale-aware formatting of DICOM values for display. DA (YYYYMMDD) becomes a real date in the
 * user's language; malformed values are shown as they are rather than hidden.
 */

/** Parses a DICOM DA value; returns null for '' or anything that is not a valid calendar date. */
export function parseDicomDate(value: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return null;
  return date;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatDicomDate(value: string, locale: string): string {
  const date = parseDicomDate(value);
  if (!date) return value.trim();
  let formatter = formatters.get(locale);
  if (!formatter) {
    // UTC: a DA value is a calendar date, not an instant; no time-zone shift may move it.
    formatter = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      timeZone: 'UTC',
    });
    formatters.set(locale, formatter);
  }
  return formatter.format(date);
}

const CJK = '[\\u3040-\\u30ff\\u3400-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff]';
const caretBetweenCjk = new RegExp(`(${CJK})\\^+(?=${CJK})`, 'gu');

/**
 * A person name for display. Main sends PN values in its display form ("王^小东 (Wang^XiaoDong)":
 * ideographic first, components still separated by '^'); here the carets become what a reader
 * expects: nothing between CJK characters (family and given names are written together), a
 * space elsewhere.
 */
export function formatPersonName(value: string): string {
  return value.replace(caretBetweenCjk, '$1').replace(/\^+/g, ' ').replace(/\s+/g, ' ').trim();
}

export function formatNumber(value: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(value);
}
