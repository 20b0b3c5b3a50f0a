/**
 * The free-text cleaner: keeps clinical meaning and replaces the rest (PS3.15 Clean Descriptors,
 * Clean Structured Content). In order:
 *
 * 1. deny patterns (patterns.ts): dates, times, phone numbers, resident ID numbers, e-mails,
 *    URLs, UIDs (remapped through the caller's UID remapper, or removed), record numbers,
 *    postal addresses;
 * 2. the object's own identifying values (identifying.ts): IDs with any separators, Hanzi names
 *    and institution names;
 * 3. word by word: name parts (folded, pinyin, initials, one edit of tolerance), institution and
 *    address words, a capitalised word after a title or relation ("Dr", "mother"), long numbers
 *    and letter+digit record numbers; then the allow-list (vocabulary-en.ts, vocabulary-zh.ts)
 *    and numbers with units are kept, and any other word becomes a placeholder (or is kept when
 *    the project chose `unknownWords: 'keep'`);
 * 4. Hanzi runs are segmented by greedy longest match against the Chinese vocabulary; what no
 *    word covers is unknown (a name such as 王建国), and a common surname that is also a clinical
 *    character (周, 叶) followed by an unknown run is part of the name.
 *
 * The result says what was replaced (kind and position), never the replaced text: callers trace
 * and count it without logging PHI.
 */
import { denySpans, type Span } from './patterns.js';
import { fold, withinOneEdit, type IdentifyingValues } from './identifying.js';
import { chineseSurnames, chineseWords, englishWords } from './vocabulary.js';

export type ReplacementKind = Span['kind'];

export interface Replacement {
  kind: ReplacementKind;
  /** Position in the input text (UTF-16 code units). */
  start: number;
  end: number;
  /** What the output has instead (the placeholder, or the remapped UID); '' when merged into the previous placeholder. */
  written: string;
}

export interface CleanOptions {
  /** A word that is neither clinical vocabulary nor a number with a unit: `placeholder` (default) or `keep`. */
  unknownWords?: 'placeholder' | 'keep';
  /** Maps a UID written in the text to its pseudonym (the engine's remapper); null or absent: the UID is removed. */
  remapUid?: (uid: string) => string | null;
  /** Default `***`. ASCII, so the cleaned value can be written in any character set. */
  placeholder?: string;
  /**
   * `free-text` (default): everything above. `kept-value`: for text the profile keeps (device
   * names, coded meanings, code values): only the object's identifying values, names after a
   * title, e-mails, URLs, phone and identity numbers and UIDs are replaced — no vocabulary check,
   * no record-number or generic date rule (a code value such as RID10312 is not a record number).
   */
  scope?: 'free-text' | 'kept-value';
  /** The institution's own name is not replaced (the project retains institution identity). */
  keepInstitution?: boolean;
}

const keptValueKinds = new Set<ReplacementKind>(['email', 'url', 'phone', 'national-id', 'uid']);

export interface CleanResult {
  text: string;
  replacements: Replacement[];
}

const honorifics = new Set([
  'dr',
  'doctor',
  'prof',
  'professor',
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'sir',
  'dame',
  'nurse',
  'sister',
  'brother',
  'mother',
  'father',
  'wife',
  'husband',
  'son',
  'daughter',
  'mum',
  'mom',
  'dad',
  'aunt',
  'uncle',
  'grandmother',
  'grandfather',
  'cousin',
  'partner',
  'consultant',
  'registrar',
  'attending',
  'technologist',
  'radiographer',
  'surgeon',
  'physician',
]);

/** Hanzi words around a personal name: the name is replaced whatever `unknownWords` says. */
const hanNameSuffixes = [
  '医生',
  '医师',
  '主任',
  '先生',
  '女士',
  '护士',
  '教授',
  '大夫',
  '老师',
  '同志',
  '小姐',
];
const hanNamePrefixes = [
  '患者',
  '病人',
  '家属',
  '母亲',
  '父亲',
  '丈夫',
  '妻子',
  '儿子',
  '女儿',
  '医生',
  '联系人',
  '姓名',
];

const units = new Set([
  ...'mm cm m km um µm nm ml l dl cc mg g kg µg ug mcg mmol umol mol meq iu u s sec ms msec min mins h hr hrs d wk wks mo y yr yrs yo kv kvp ma mas mgy gy cgy mgycm msv sv mbq gbq mci uci µci bq hu t mt hz khz mhz db deg mmhg cmh2o bpm mm2 mm3 cm2 cm3 m2 m3 x st nd rd th ch f fr g kb mb gb px'.split(
    ' ',
  ),
]);

/** Runs of letters and digits (with inner . ' ’); a run mixing Hanzi and Latin is split below. */
const tokenPattern = /[\p{L}\p{M}\p{N}]+(?:[.'’][\p{L}\p{M}\p{N}]+)*/gu;
const hanRun = /\p{Script=Han}/u;
const scriptRuns = /\p{Script=Han}+|[^\p{Script=Han}]+/gu;
const uidShape = /^[0-2](?:\.(?:0|[1-9]\d*)){3,}$/;

interface Token {
  start: number;
  end: number;
  text: string;
  han: boolean;
}

/** Suffixes tried when a word is not in the vocabulary as written: [suffix, replacement]. */
const stems: ReadonlyArray<readonly [string, string]> = [
  ["'s", ''],
  ['s', ''],
  ['es', ''],
  ['ies', 'y'],
  ['ed', ''],
  ['ed', 'e'],
  ['d', ''],
  ['ing', ''],
  ['ing', 'e'],
  ['ly', ''],
  ['al', ''],
];

function isVocabulary(word: string, vocabulary: Set<string>): boolean {
  if (vocabulary.has(word)) return true;
  for (const [suffix, replacement] of stems) {
    if (!word.endsWith(suffix) || word.length - suffix.length + replacement.length < 2) continue;
    if (vocabulary.has(word.slice(0, word.length - suffix.length) + replacement)) return true;
  }
  return false;
}

/** Why a Latin-script word or number must go, or null when it may stay. */
function classifyWord(
  token: Token,
  identifying: IdentifyingValues,
  vocabulary: Set<string>,
  next: Token | undefined,
): ReplacementKind | null {
  const folded = fold(token.text);
  const compact = folded.replace(/[.'’]/g, '');
  if (identifying.nameWords.has(compact)) return 'name';
  if (identifying.placeWords.has(compact)) return 'address';
  if (identifying.institutionWords.has(compact)) return 'institution';
  const known = isVocabulary(compact, vocabulary) || isVocabulary(folded, vocabulary);
  if (identifying.initials.has(compact) && !known && (/\p{Lu}/u.test(token.text) || token.text.includes('.')))
    return 'name';
  if (/\d/.test(compact)) return classifyNumber(compact, vocabulary, next);
  if (known) return null;
  if (compact.length >= 4)
    for (const name of identifying.fuzzyNameWords) if (withinOneEdit(compact, name)) return 'name';
  return 'unknown-word';
}

function classifyNumber(
  word: string,
  vocabulary: Set<string>,
  next: Token | undefined,
): ReplacementKind | null {
  const number = /^(\d+)(?:[.,](\d+))?$/.exec(word);
  if (number) {
    if ((number[1] ?? '').length < 5) return null;
    // A long number is a record number unless a unit follows it ("12000 ms").
    return next && !next.han && units.has(fold(next.text)) ? null : 'number';
  }
  const withUnit = /^(\d+(?:[.,]\d+)?)([\p{L}µ][\p{L}\p{N}]*)$/u.exec(word);
  if (withUnit && (withUnit[1] ?? '').replace(/\D/g, '').length < 7) {
    const unit = withUnit[2] ?? '';
    if (units.has(unit) || vocabulary.has(unit)) return null;
  }
  if (/^\d+(?:x\d+)+$/.test(word)) return null; // matrix 512x512
  const digits = word.replace(/\D/g, '').length;
  if (digits >= 5) return 'id';
  const letters = word.replace(/[^\p{L}]/gu, '');
  // MRK0012, AB1234: a record number, unless the letters are a clinical word (TR2000, b1000).
  if (digits >= 4 && letters.length >= 2 && !isVocabulary(letters, vocabulary) && !units.has(letters))
    return 'id';
  if (letters.length <= 4) return null; // T2, b800, L4, 3D, p2, C5, 64ch
  const runs = word.match(/\p{L}+/gu) ?? [];
  return runs.every((run) => run.length <= 2 || isVocabulary(run, vocabulary)) ? null : 'unknown-word';
}

interface HanSegment {
  start: number;
  end: number;
  known: boolean;
}

/** Greedy longest-match segmentation of a run of Hanzi against the Chinese vocabulary. */
function segmentHan(run: string, offset: number): HanSegment[] {
  const { words, longest } = chineseWords();
  const segments: HanSegment[] = [];
  let i = 0;
  while (i < run.length) {
    let matched = 0;
    for (let length = Math.min(longest, run.length - i); length >= 1; length -= 1) {
      if (words.has(run.slice(i, i + length))) {
        matched = length;
        break;
      }
    }
    if (matched > 0) {
      segments.push({ start: offset + i, end: offset + i + matched, known: true });
      i += matched;
      continue;
    }
    const last = segments.at(-1);
    if (last && !last.known && last.end === offset + i) last.end += 1;
    else segments.push({ start: offset + i, end: offset + i + 1, known: false });
    i += 1;
  }
  return segments;
}

function hanSpans(text: string, token: Token, keepUnknown: boolean, spans: Span[]): void {
  const segments = segmentHan(token.text, token.start);
  for (let index = 0; index < segments.length; index += 1) {
    const segment = segments[index]!;
    if (segment.known) continue;
    let start = segment.start;
    const previous = segments[index - 1];
    const before = text.slice(Math.max(0, start - 3), start);
    const after = text.slice(segment.end, segment.end + 3);
    let named =
      hanNameSuffixes.some((suffix) => after.startsWith(suffix)) ||
      hanNamePrefixes.some((prefix) => before.endsWith(prefix));
    // 周杰: 周 is a clinical character ("around") and a surname; before an unknown run it is the surname.
    if (
      previous?.known &&
      previous.end === start &&
      segment.end - segment.start <= 3 &&
      chineseSurnames.has(text.slice(previous.start, previous.end))
    ) {
      start = previous.start;
      named = true;
    }
    if (named || !keepUnknown) spans.push({ start, end: segment.end, kind: named ? 'name' : 'unknown-word' });
  }
}

const alphanumeric = /[\p{L}\p{N}]/u;
const isDigit = (char: string): boolean => char >= '0' && char <= '9';
const isAlphanumeric = (char: string): boolean => alphanumeric.test(char);

/** Finds `forms` in the characters of `text` that `keep` accepts, mapped back to whole-word spans. */
function compactSearch(
  text: string,
  forms: readonly string[],
  keep: (char: string) => boolean,
  spans: Span[],
): void {
  if (forms.length === 0) return;
  let compact = '';
  const at: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (!keep(char)) continue;
    const lower = char.toLowerCase();
    if (lower.length !== 1) continue; // a letter whose lower case is longer is no ID character
    compact += lower;
    at.push(i);
  }
  for (const form of forms) {
    let found = compact.indexOf(form);
    while (found >= 0) {
      const start = at[found]!;
      const end = at[found + form.length - 1]! + 1;
      const before = text[start - 1];
      const after = text[end];
      if ((before === undefined || !keep(before)) && (after === undefined || !keep(after)))
        spans.push({ start, end, kind: 'id' });
      found = compact.indexOf(form, found + 1);
    }
  }
}

/**
 * The object's IDs in `text` whatever separates their characters ("PID-884422", "p i d 884422",
 * and "884422" alone for PID884422): searched in the text's letters and digits, mapped back.
 */
function idSpans(text: string, identifying: IdentifyingValues, spans: Span[]): void {
  compactSearch(text, identifying.idForms, isAlphanumeric, spans);
  compactSearch(text, identifying.idDigits, isDigit, spans);
}

function identifyingSpans(text: string, identifying: IdentifyingValues, spans: Span[]): void {
  if (identifying.datePattern && /\d/.test(text)) {
    identifying.datePattern.lastIndex = 0;
    for (const match of text.matchAll(identifying.datePattern))
      spans.push({ start: match.index, end: match.index + match[0].length, kind: 'date' });
  }
  if (identifying.idForms.length > 0 || identifying.idDigits.length > 0) idSpans(text, identifying, spans);
  const addAll = (needles: string[], kind: Span['kind']): void => {
    for (const needle of needles) {
      let at = text.indexOf(needle);
      while (at >= 0) {
        spans.push({ start: at, end: at + needle.length, kind });
        at = text.indexOf(needle, at + needle.length);
      }
    }
  };
  if (/\p{Script=Han}/u.test(text)) {
    addAll(identifying.hanNames, 'name');
    addAll(identifying.hanPlaces, 'address');
    addAll(identifying.hanInstitutions, 'institution');
  }
}

/**
 * Single capital letters in a row ("Z. A.", "Z A") that spell the initials of a name: first token
 * index → last token index.
 */
function spacedInitials(
  text: string,
  tokens: readonly Token[],
  identifying: IdentifyingValues,
): Map<number, number> {
  const found = new Map<number, number>();
  if (identifying.initials.size === 0) return found;
  const single = (token: Token | undefined): boolean => !!token && /^\p{Lu}$/u.test(token.text);
  for (let index = 0; index < tokens.length; index += 1) {
    if (!single(tokens[index])) continue;
    let end = index;
    while (
      end + 1 < tokens.length &&
      end - index < 3 &&
      single(tokens[end + 1]) &&
      /^[\s.]+$/.test(text.slice(tokens[end]!.end, tokens[end + 1]!.start))
    )
      end += 1;
    if (end === index) continue;
    const letters = tokens
      .slice(index, end + 1)
      .map((token) => fold(token.text))
      .join('');
    if (identifying.initials.has(letters)) found.set(index, end);
    index = end;
  }
  return found;
}

/** Overlapping or touching spans become one (the kind of the longest). */
function merge(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span.start < last.end) {
      if (span.end > last.end) {
        if (span.end - span.start > last.end - last.start) last.kind = span.kind;
        last.end = span.end;
      }
      continue;
    }
    merged.push({ ...span });
  }
  return merged;
}

/** Cleans one free-text value. Never throws; the output is the input when nothing was found. */
export function cleanFreeText(
  text: string,
  identifying: IdentifyingValues,
  options: CleanOptions = {},
): CleanResult {
  const placeholder = options.placeholder ?? '***';
  const keptValue = options.scope === 'kept-value';
  const keepUnknown = keptValue || options.unknownWords === 'keep';
  const vocabulary = englishWords();

  const found: Span[] = denySpans(text).filter((span) => !keptValue || keptValueKinds.has(span.kind));
  // A UID the remapper leaves as it is (a well-known UID, or Retain UIDs) is not a replacement,
  // and its digits are not words either.
  const protectedSpans: Span[] = [];
  if (options.remapUid) {
    const remap = options.remapUid;
    for (let index = found.length - 1; index >= 0; index -= 1) {
      const span = found[index]!;
      if (span.kind !== 'uid') continue;
      const uid = text.slice(span.start, span.end);
      if (remap(uid) === uid) protectedSpans.push(...found.splice(index, 1));
    }
  }
  identifyingSpans(text, identifying, found);
  const fixed = merge(found);

  // Words outside the fixed spans.
  const tokens: Token[] = [];
  let cursor = 0;
  const boundaries = merge([...fixed, ...protectedSpans]);
  for (const span of [...boundaries, { start: text.length, end: text.length, kind: 'name' as const }]) {
    if (span.start > cursor) {
      tokenPattern.lastIndex = 0;
      const gap = text.slice(cursor, span.start);
      for (const match of gap.matchAll(tokenPattern)) {
        const start = cursor + match.index;
        const word = match[0];
        if (!hanRun.test(word)) {
          tokens.push({ start, end: start + word.length, text: word, han: false });
          continue;
        }
        scriptRuns.lastIndex = 0;
        for (const run of word.matchAll(scriptRuns)) {
          const text = run[0];
          const han = hanRun.test(text);
          // "CT.平扫": the Latin part loses the dots and quotes the token pattern let in.
          if (!han && !/[\p{L}\p{N}]/u.test(text)) continue;
          tokens.push({ start: start + run.index, end: start + run.index + text.length, text, han });
        }
      }
    }
    cursor = Math.max(cursor, span.end);
  }

  const spans: Span[] = [...fixed];
  const initialsAt = spacedInitials(text, tokens, identifying);
  let titleBefore = false;
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    const initialsEnd = initialsAt.get(index);
    if (initialsEnd !== undefined) {
      spans.push({ start: token.start, end: tokens[initialsEnd]!.end, kind: 'name' });
      index = initialsEnd;
      titleBefore = false;
      continue;
    }
    if (token.han) {
      hanSpans(text, token, keepUnknown, spans);
      titleBefore = false;
      continue;
    }
    const next = tokens[index + 1];
    const between = next ? text.slice(token.end, next.start) : '';
    let kind = classifyWord(token, identifying, vocabulary, /^\s*$/.test(between) ? next : undefined);
    // The word after a title or a relation is a name when it is capitalised ("Dr. Johnson",
    // "mother Wallaby"); in an all-capitals value, when it is not a clinical word.
    if (titleBefore && kind === null && /^\p{Lu}/u.test(token.text)) {
      const allCaps = token.text === token.text.toUpperCase();
      if (!allCaps || !isVocabulary(fold(token.text), vocabulary)) kind = 'name';
    }
    if (titleBefore && kind === 'unknown-word') kind = 'name';
    if (keptValue && (kind === 'number' || kind === 'id')) kind = null;
    titleBefore = honorifics.has(fold(token.text).replace(/\.$/, '')) && /^[\s.:,]*$/.test(between);
    if (kind === null || (kind === 'unknown-word' && keepUnknown)) continue;
    spans.push({ start: token.start, end: token.end, kind });
  }

  const all = merge(options.keepInstitution ? spans.filter((span) => span.kind !== 'institution') : spans);
  if (all.length === 0) return { text, replacements: [] };

  let out = '';
  cursor = 0;
  let lastWasPlaceholder = false;
  const replacements: Replacement[] = [];
  for (const span of all) {
    const between = text.slice(cursor, span.start);
    let written = placeholder;
    if (span.kind === 'uid') {
      const uid = text.slice(span.start, span.end);
      const mapped = uidShape.test(uid) && options.remapUid ? options.remapUid(uid) : null;
      written = mapped ?? placeholder;
    }
    if (written === placeholder && lastWasPlaceholder && /^[\s^_]*$/.test(between)) {
      replacements.push({ kind: span.kind, start: span.start, end: span.end, written: '' });
    } else {
      out += between + written;
      replacements.push({ kind: span.kind, start: span.start, end: span.end, written });
    }
    lastWasPlaceholder = written === placeholder;
    cursor = span.end;
  }
  out += text.slice(cursor);
  return { text: out, replacements };
}

const kindWords: Record<ReplacementKind, [string, string]> = {
  uid: ['UID', 'UIDs'],
  email: ['e-mail address', 'e-mail addresses'],
  url: ['URL', 'URLs'],
  date: ['date', 'dates'],
  time: ['time', 'times'],
  phone: ['phone number', 'phone numbers'],
  'national-id': ['identity number', 'identity numbers'],
  'record-number': ['record number', 'record numbers'],
  address: ['address', 'addresses'],
  name: ['name', 'names'],
  id: ['ID', 'IDs'],
  institution: ['institution word', 'institution words'],
  number: ['long number', 'long numbers'],
  'unknown-word': ['unknown word', 'unknown words'],
};

/** "2 names, 1 date, 3 unknown words": what the trace shows (no replaced text). */
export function describeReplacements(replacements: readonly Replacement[]): string {
  const counts = new Map<ReplacementKind, number>();
  for (const replacement of replacements)
    counts.set(replacement.kind, (counts.get(replacement.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${kindWords[kind][count === 1 ? 0 : 1]}`).join(', ');
}
