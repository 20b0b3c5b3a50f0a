/**
 * Deny patterns of the free-text cleaner: things that identify whatever words surround them.
 * Each finder returns spans of the text; the cleaner replaces every span (UIDs are remapped).
 *
 * Patterns are written for recall: a false positive costs a placeholder in a descriptor, a false
 * negative leaks a phone number.
 */

export type DenyKind =
  'uid' | 'email' | 'url' | 'date' | 'time' | 'phone' | 'national-id' | 'record-number' | 'address';

export interface Span {
  start: number;
  end: number;
  kind: DenyKind | 'name' | 'id' | 'institution' | 'number' | 'unknown-word';
}

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const MONTHS_NOT_MAY =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const DAY = '(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?';
const YEAR = '(?:19|20)\\d{2}';
const STREET_TYPES = [
  'street',
  'st',
  'road',
  'rd',
  'avenue',
  'ave',
  'boulevard',
  'blvd',
  'lane',
  'ln',
  'drive',
  'dr',
  'court',
  'ct',
  'way',
  'place',
  'pl',
  'terrace',
  'tce',
  'parkway',
  'pkwy',
  'highway',
  'hwy',
  'crescent',
  'cres',
  'close',
  'square',
  'sq',
  'grove',
  'circuit',
  'parade',
]
  .flatMap((word) => [word, word[0]!.toUpperCase() + word.slice(1), word.toUpperCase()])
  .join('|');
const CN_NUM = '[〇零一二三四五六七八九十两]';

interface Finder {
  kind: DenyKind;
  pattern: RegExp;
  /** With the `d` flag: the capture group that is the identifying part (the label is kept). */
  group?: number;
  /** A cheap test the text must pass for the pattern to be worth running. */
  needs?: RegExp;
  /** Optional check on the match (e.g. a checksum); false drops it. */
  accept?: (match: string) => boolean;
}

/** An 18-digit resident identity number (GB 11643-1999) with a valid ISO 7064 MOD 11-2 check digit. */
export function isChineseResidentId(value: string): boolean {
  const id = value.replace(/[\s-]/g, '').toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(id[i]) * weights[i]!;
  return '10X98765432'[sum % 11] === id[17];
}

const finders: Finder[] = [
  // UIDs before dates and numbers: 1.2.840.113619.2.55.3 is neither.
  { kind: 'uid', needs: /\d\.\d+\.\d+\.\d/, pattern: /(?<![\d.])[0-2](?:\.(?:0|[1-9]\d*)){3,}(?![\d.]*\d)/g },
  {
    kind: 'email',
    needs: /@/,
    pattern: /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63})+/gu,
  },
  {
    kind: 'url',
    needs: /:\/\/|www\.|\.(?:com|org|net|edu|gov|cn|uk|de|fr|jp|au)\b/i,
    pattern:
      /\b(?:(?:https?|ftp|file):\/\/|www\.)[^\s<>"]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|edu|gov|cn|uk|de|fr|jp|au)\b(?:\/[^\s]*)?/gi,
  },
  // Resident identity numbers: 18 digits with a check digit, or the older 15-digit form.
  {
    kind: 'national-id',
    needs: /\d{6}/,
    pattern: /(?<!\d)\d{6}[\s-]?\d{8}[\s-]?\d{3}[\dXx](?![\dA-Za-z])/g,
    accept: isChineseResidentId,
  },
  { kind: 'national-id', needs: /\d-\d/, pattern: /(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)/g }, // US SSN
  // Dates with a year.
  {
    kind: 'date',
    needs: /[年月]/,
    pattern: new RegExp(
      [
        `(?:${CN_NUM}{2,4}|\\d{2,4})\\s*年\\s*(?:${CN_NUM}{1,3}|\\d{1,2})\\s*月(?:\\s*(?:${CN_NUM}{1,3}|\\d{1,2})\\s*[日号])?`,
        `(?:${CN_NUM}{1,3}|\\d{1,2})\\s*月\\s*(?:${CN_NUM}{1,3}|\\d{1,2})\\s*[日号]`,
      ].join('|'),
      'g',
    ),
  },
  {
    kind: 'date',
    needs: /\d\s*[-/.]\s*\d|\d{8}/,
    pattern: new RegExp(
      [
        `\\b${YEAR}\\s*[-/.]\\s*(?:0?[1-9]|1[0-2])\\s*[-/.]\\s*(?:0?[1-9]|[12]\\d|3[01])\\b`,
        `\\b\\d{1,2}\\s*[-/.]\\s*\\d{1,2}\\s*[-/.]\\s*(?:\\d{4}|\\d{2})\\b`,
        `\\b${YEAR}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\b`,
        `\\b(?:0?[1-9]|1[0-2])\\s*/\\s*${YEAR}\\b`,
      ].join('|'),
      'g',
    ),
  },
  // Month names, with a day or a year ("may" alone is a verb far more often than a month).
  {
    kind: 'date',
    needs: /(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i,
    pattern: new RegExp(
      [
        `\\b${DAY}[\\s-]*(?:of\\s+)?(?:${MONTHS})\\.?,?[\\s-]*(?:${YEAR}|'?\\d{2})\\b`,
        `\\b(?:${MONTHS})\\.?[\\s-]*${DAY},?\\s*(?:${YEAR}|'\\d{2})\\b`,
        `\\b${DAY}[\\s-]*(?:of\\s+)?(?:${MONTHS_NOT_MAY})\\b\\.?`,
        `\\b(?:${MONTHS_NOT_MAY})\\.?[\\s-]*${DAY}\\b`,
        `\\b(?:${MONTHS})\\.?,?\\s*${YEAR}\\b`,
        `\\b(?:${MONTHS})\\.?\\s*'\\d{2}\\b`,
      ].join('|'),
      'gi',
    ),
  },
  {
    kind: 'time',
    needs: /\d\s*[:：]\s*\d|\d\s*[ap]\.?m|[点时]/i,
    pattern: new RegExp(
      [
        '\\b(?:[01]?\\d|2[0-3])\\s*[:：]\\s*[0-5]\\d(?:\\s*[:：]\\s*[0-5]\\d(?:\\.\\d+)?)?(?:\\s*(?:[ap]\\.?m\\.?|h|hrs?)\\b)?',
        '\\b(?:0?[1-9]|1[0-2])\\s*[ap]\\.?m\\b\\.?',
        `(?:上午|下午|晚上|凌晨|中午)?(?:\\d{1,2}|${CN_NUM}{1,3})\\s*[点时](?:\\s*(?:\\d{1,2}|${CN_NUM}{1,3})\\s*分)?(?:\\s*\\d{1,2}\\s*秒)?`,
      ].join('|'),
      'giu',
    ),
  },
  {
    kind: 'phone',
    needs: /\d{3}/,
    pattern: new RegExp(
      [
        // Chinese mobile numbers, with or without +86 and separators.
        '(?<!\\d)(?:\\+?86[\\s-]?)?1[3-9]\\d[\\s-]?\\d{4}[\\s-]?\\d{4}(?!\\d)',
        // International: +country then groups.
        '\\+\\d{1,3}(?:[\\s.-]*\\(?\\d{1,5}\\)?){2,5}(?!\\d)',
        // Area code in parentheses: (010) 6529-5000, (617) 555-0199.
        '\\(\\d{2,5}\\)[\\s.-]*\\d{3,4}[\\s.-]?\\d{3,4}(?!\\d)',
        // Chinese landline 010-65295000, 0571-8888 7777.
        '(?<!\\d)0\\d{2,3}[\\s-]\\d{7,8}(?!\\d)',
        '(?<!\\d)0\\d{2,3}[\\s-]\\d{3,4}[\\s-]\\d{4}(?!\\d)',
        // Two-digit area codes: 02 9876 5432, 030 1234 5678.
        '(?<![\\d.])0\\d{1,2}[\\s-]\\d{4}[\\s-]?\\d{4}(?![\\d.])',
        // North American 617-555-0199, 617.555.0199, 617 555 0199.
        '(?<![\\d.])\\d{3}[\\s.-]\\d{3}[\\s.-]\\d{4}(?![\\d.])',
        // Local 555-0199 / 6529-5000 after a telephone word is caught by the label rule below.
      ].join('|'),
      'giu',
    ),
  },
  // Local numbers after a telephone word: "tel 555-0199", "电话：6529 5000".
  {
    kind: 'phone',
    needs: /tel|phone|mobile|cell|fax|ph|pager|bleep|ext|电话|手机|座机|传真|分机/i,
    pattern:
      /(?:\b(?:tel|phone|telephone|mobile|cell|fax|ph|pager|bleep|ext)\b|电话|手机|联系电话|座机|传真|分机)\.?\s*(?:no\.?|number)?\s*[:：#]?\s*(\+?[\d(][\d\s().-]{2,}\d)/dgiu,
    group: 1,
  },
  // A number introduced by a record or identity label: "mrn 884422", "病历号：A123456".
  {
    kind: 'record-number',
    needs: /\d{3}/,
    pattern:
      /(?:\b(?:mrn|mr\s*no|mr#|urn|pid|patient\s*(?:id|no|number)|hospital\s*(?:id|no|number)|record\s*(?:no|number)|chart\s*(?:no|number)|case\s*(?:no|number)|acc(?:ession)?\s*(?:no|number|#)?|id|ssn|nhs\s*(?:no|number)?|medicare|insurance\s*(?:no|number)?)\b\.?|#|病历号|病案号|住院号|门诊号|登记号|检查号|影像号|就诊号|卡号|身份证号?|医保号|编号|ID号)\s*[:：#=]?\s*((?=[A-Za-z-]*\d{3})[A-Za-z0-9][A-Za-z0-9/-]{2,})/dgiu,
    group: 1,
  },
  // Letter+digit tokens that look like record numbers: PID-884422, AB1234567, 884422X.
  {
    kind: 'record-number',
    needs: /\d{5}/,
    pattern: /\b[A-Za-z]{1,5}[-_#]?\d{5,}[A-Za-z]?\b|\b\d{5,}[-_]?[A-Za-z]{1,3}\b/g,
  },
  {
    kind: 'address',
    needs:
      /\d[A-Za-z]?\s+[A-Z]|[Aa]pt|APT|[Aa]partment|[Uu]nit|UNIT|[Ss]uite|[Ff]lat|[Bb]ox|BOX|[A-Z]{2}\s+\d{5}|[A-Z]\d[A-Z\d]?\s+\d[A-Z]/,
    pattern: new RegExp(
      [
        // 12 Wombat Street, 4/56 Kangaroo Rd, 1600 Pennsylvania Avenue NW
        `\\b\\d{1,5}[A-Za-z]?(?:\\s*[/-]\\s*\\d{1,5})?\\s+(?:[A-Z][\\p{L}'’]+\\s+){1,3}(?:${STREET_TYPES})\\b\\.?(?:\\s+(?:NW|NE|SW|SE|N|S|E|W)\\b)?`,
        // Apartment / unit / PO box
        '\\b(?:[Aa]pt|APT|[Aa]partment|[Uu]nit|UNIT|[Ss]uite|[Ff]lat|[Pp]\\.?\\s*[Oo]\\.?\\s*[Bb]ox|PO\\s*BOX)\\.?\\s*#?\\s*\\d+[A-Za-z]?\\b',
        // US ZIP after a state code, UK postcodes
        '\\b[A-Z]{2}\\s+\\d{5}(?:-\\d{4})?\\b',
        '\\b[A-Z]{1,2}\\d[A-Z\\d]?\\s+\\d[A-Z]{2}\\b',
      ].join('|'),
      'gu',
    ),
  },
  {
    kind: 'address',
    needs: /[省区市县镇乡村路街巷弄胡同邮]/,
    pattern: new RegExp(
      [
        // Chinese: (province)(city)(district) … road/street … number 号 (building/room)
        '[\\p{Script=Han}\\d]{0,12}?(?:省|自治区|市|区|县|镇|乡|村)[\\p{Script=Han}\\d]{0,12}?(?:路|街|大道|巷|弄|胡同|里)\\s*\\d+\\s*号(?:\\s*(?:院|楼|大厦))?(?:\\s*\\d+\\s*(?:号楼|栋|幢|单元|层|楼|室|号))*',
        '[\\p{Script=Han}]{1,8}(?:路|街|大道|巷|弄|胡同)\\s*\\d+\\s*号(?:\\s*(?:院|楼))?(?:\\s*\\d+\\s*(?:号楼|栋|幢|单元|层|楼|室|号))*',
        '[\\p{Script=Han}]{2,4}(?:省|自治区)[\\p{Script=Han}]{2,4}市(?:[\\p{Script=Han}]{1,4}(?:区|县))?',
        '[\\p{Script=Han}]{2,3}市[\\p{Script=Han}]{1,4}(?:区|县)',
        '(?:邮编|邮政编码)\\s*[:：]?\\s*\\d{6}',
      ].join('|'),
      'gu',
    ),
  },
];

/** Every deny-pattern match in `text`, overlapping ones included (the cleaner resolves them). */
export function denySpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const finder of finders) {
    if (finder.needs && !finder.needs.test(text)) continue;
    finder.pattern.lastIndex = 0;
    for (const match of text.matchAll(finder.pattern)) {
      const indices = finder.group === undefined ? undefined : match.indices?.[finder.group];
      const found = finder.group === undefined ? match[0] : (match[finder.group] ?? '');
      if (found.trim().length === 0) continue;
      if (finder.accept && !finder.accept(found)) continue;
      const start = indices ? indices[0] : match.index;
      // Trailing spaces and separators belong to the text around the match.
      const trimmed = found.replace(/[\s.,;:]+$/u, '');
      if (trimmed.length === 0) continue;
      spans.push({ start, end: start + trimmed.length, kind: finder.kind });
    }
  }
  return spans;
}
