/**
 * The object's own identifying values in the forms free text writes them: every person name
 * (each part, hyphenated parts, diacritics folded, pinyin of Hanzi, initials), IDs with or
 * without separators and as digits only, dates, institution and address words.
 */
import { pinyinSyllables } from '../../core/pinyin.js';
import { englishWords } from './vocabulary.js';

export interface IdentifyingValues {
  /** Lower-cased needles; names, ids and dates in the forms they appear in free text (substring scan, OCR). */
  needles: string[];
  /** Folded (lower case, no diacritics) Latin name parts and their pinyin, 2+ letters. */
  nameWords: Set<string>;
  /** Folded name parts of 5+ letters, matched with one edit of tolerance. */
  fuzzyNameWords: string[];
  /** Initials of the names, 2+ letters (e.g. "za", "az" for Ångström^Zoë). */
  initials: Set<string>;
  /** Hanzi name forms (full names, given names of 2+ characters), longest first. */
  hanNames: string[];
  /** Folded words of the patient's address (and of `other` values), 3+ letters, not stop words. */
  placeWords: Set<string>;
  /** Hanzi address strings (whole, and without generic suffixes), longest first. */
  hanPlaces: string[];
  /** Folded words of the institution names, 3+ letters, not stop words. */
  institutionWords: Set<string>;
  /** Hanzi institution names (whole, and without 医院/大学… suffixes), longest first. */
  hanInstitutions: string[];
  /** IDs as their letters and digits alone (lower case): found in text whatever separates them. */
  idForms: string[];
  /** IDs (and header phone numbers) as their digits alone, 4+ digits. */
  idDigits: string[];
  /** The object's own dates (birth, study, series…) in the forms text writes them; null when none. */
  datePattern: RegExp | null;
}

const hanPattern = /\p{Script=Han}/u;

/** Lower case, diacritics removed (Ångström → angstrom, Zoë → zoe, Łukasz → lukasz). */
export function fold(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text.toLowerCase();
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[øœæßłđþı]/g, (char) => foldSpecial[char] ?? char);
}

const foldSpecial: Record<string, string> = {
  ø: 'o',
  œ: 'oe',
  æ: 'ae',
  ß: 'ss',
  ł: 'l',
  đ: 'd',
  þ: 'th',
  ı: 'i',
};

/** The German/Scandinavian transliteration (ö → oe, ü → ue, ä → ae, å → aa), when it differs. */
function transliterate(text: string): string {
  return fold(
    text.toLowerCase().replace(/[äöüå]/g, (char) => ({ ä: 'ae', ö: 'oe', ü: 'ue', å: 'aa' })[char] ?? char),
  );
}

function dateForms(value: string): string[] {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  if (!match) return [];
  const [, y, m, d] = match as unknown as [string, string, string, string];
  return [
    `${y}${m}${d}`,
    `${y}-${m}-${d}`,
    `${y}/${m}/${d}`,
    `${y}.${m}.${d}`,
    `${d}.${m}.${y}`,
    `${d}/${m}/${y}`,
    `${m}/${d}/${y}`,
    `${y}年${Number(m)}月${Number(d)}日`,
  ];
}

function pinyinOf(hanzi: string): string[] {
  return pinyinSyllables(hanzi).map((syllable) => syllable.toLowerCase());
}

/** Substring needles for one person name (what the scan before the cleaner looked for). */
function nameNeedles(personName: string): string[] {
  const forms: string[] = [];
  for (const group of personName.split('=')) {
    const parts = group
      .split('^')
      .map((part) => part.trim())
      .filter(Boolean);
    if (parts.length === 0) continue;
    forms.push(
      ...parts,
      parts.join(' '),
      parts.join(''),
      [...parts].reverse().join(' '),
      [...parts].reverse().join(''),
    );
    if (hanPattern.test(group)) {
      const hanzi = parts.join('');
      forms.push(hanzi);
      const syllables = pinyinOf(hanzi);
      if (syllables.length > 0) {
        const family = pinyinOf(parts[0] ?? '').join('');
        const given = pinyinOf(parts.slice(1).join('')).join('');
        forms.push(syllables.join(''), syllables.join(' '));
        if (family) forms.push(family);
        if (given) forms.push(given, `${given} ${family}`, `${family} ${given}`, `${given}${family}`);
      }
    }
  }
  return forms;
}

const stopWords = new Set([
  'the',
  'of',
  'and',
  'for',
  'at',
  'in',
  'on',
  'de',
  'la',
  'le',
  'du',
  'des',
  'und',
  'der',
]);
/** Generic institution suffixes: "北京协和医院" is also written "协和". */
const hanInstitutionSuffixes =
  /(?:附属第[一二三四五六七八九十]+医院|第[一二三四五六七八九十]+人民医院|人民医院|中心医院|中医院|医院|医科大学|大学|医学院|卫生院|诊所|门诊部|中心|分院|院区)$/u;

export interface IdentifyingInput {
  /** PN values (all groups, `=` separated), e.g. the patient's, other names, physicians'. */
  names: string[];
  /** Patient ID, other IDs, accession number. */
  ids: string[];
  /** DA values (YYYYMMDD). */
  dates: string[];
  /** Address, telephone numbers (and anything else identifying). */
  other: string[];
  /**
   * Institution names. Separate from `other` so that a project retaining institution identity
   * can keep them (CleanOptions.keepInstitution).
   */
  institutions?: string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds the object's identifying values. Very short needles would match ordinary words ("LI",
 * "MA") inside other words, so substring needles need 3+ Latin characters (Han 2+); word matching
 * (nameWords) is whole-word and accepts 2-letter parts unless they are clinical words.
 */
export function identifyingValues(values: IdentifyingInput): IdentifyingValues {
  const needles = new Set<string>();
  const addNeedle = (value: string): void => {
    const needle = value.trim().toLowerCase();
    if (hanPattern.test(needle) ? needle.length >= 2 : needle.replace(/[^a-z0-9]/g, '').length >= 3)
      needles.add(needle);
  };
  const nameWords = new Set<string>();
  const initials = new Set<string>();
  const hanNames = new Set<string>();
  const vocabulary = englishWords();
  const addNameWord = (word: string): void => {
    for (const form of new Set([fold(word), transliterate(word)])) {
      const clean = form.replace(/[^\p{L}\p{N}]/gu, '');
      if (clean.length >= 3 || (clean.length === 2 && !vocabulary.has(clean))) nameWords.add(clean);
    }
  };
  /** Family first ("SJM") and given names first ("MSJ"), as names are written both ways. */
  const addInitials = (family: string[], given: string[]): void => {
    const first = (words: string[]): string => words.map((word) => fold(word)[0] ?? '').join('');
    if (family.length + given.length < 2) return;
    initials.add(first(family) + first(given));
    initials.add(first(given) + first(family));
  };

  for (const name of values.names) {
    for (const form of nameNeedles(name)) addNeedle(form);
    for (const group of name.split('=')) {
      const components = group
        .split('^')
        .map((part) => part.trim())
        .filter(Boolean);
      if (components.length === 0) continue;
      if (hanPattern.test(group)) {
        const family = components[0] ?? '';
        const given = components.slice(1).join('');
        const full = components.join('');
        if ([...full].length >= 2) hanNames.add(full);
        if ([...given].length >= 2) hanNames.add(given);
        if (components.length === 1 && [...full].length >= 3) hanNames.add([...full].slice(1).join(''));
        const familySyllables = pinyinOf(family);
        const givenSyllables = pinyinOf(given);
        for (const syllable of [...familySyllables, ...givenSyllables]) addNameWord(syllable);
        addNameWord(familySyllables.join(''));
        addNameWord(givenSyllables.join(''));
        addNameWord([...familySyllables, ...givenSyllables].join(''));
        addInitials(familySyllables, givenSyllables);
        continue;
      }
      const words: string[] = [];
      for (const component of components)
        for (const word of component.split(/[\s\-'’.,]+/)) if (word) words.push(word);
      for (const word of words) addNameWord(word);
      // Hyphenated and multi-word parts also as one word: "Smith-Jones" → "smithjones".
      for (const component of components) addNameWord(component);
      const wordsOf = (parts: string[]): string[] =>
        parts.flatMap((part) => part.split(/[\s\-'’.,]+/)).filter(Boolean);
      addInitials(wordsOf(components.slice(0, 1)), wordsOf(components.slice(1)));
    }
  }
  const dateAlternatives = new Set<string>();
  for (const date of values.dates)
    for (const form of dateForms(date)) {
      addNeedle(form);
      dateAlternatives.add(escapeRegExp(form));
    }

  const placeWords = new Set<string>();
  const hanPlaces = new Set<string>();
  const institutionWords = new Set<string>();
  const hanInstitutions = new Set<string>();
  const addPlace = (value: string, words: Set<string>, hanzi: Set<string>): void => {
    addNeedle(value);
    for (const word of value.split(/[^\p{L}\p{N}]+/u)) {
      if (!word) continue;
      if (hanPattern.test(word)) {
        for (const run of word.match(/\p{Script=Han}+/gu) ?? []) {
          if ([...run].length >= 2) hanzi.add(run);
          const core = run.replace(hanInstitutionSuffixes, '');
          if ([...core].length >= 2 && core !== run) hanzi.add(core);
        }
        continue;
      }
      const folded = fold(word);
      if (/^\d+$/.test(folded)) continue; // house numbers: the ID and phone rules cover long ones
      if (folded.length >= 3 && !stopWords.has(folded)) words.add(folded);
    }
  };
  for (const other of values.other) addPlace(other, placeWords, hanPlaces);
  for (const institution of values.institutions ?? [])
    addPlace(institution, institutionWords, hanInstitutions);

  const idForms = new Set<string>();
  const idDigits = new Set<string>();
  for (const id of values.ids) {
    addNeedle(id);
    const chars = fold(id).replace(/[^\p{L}\p{N}]/gu, '');
    if (chars.length < 3) continue;
    idForms.add(chars);
    const digits = chars.replace(/\D/g, '');
    if (digits.length >= 4 && digits !== chars) idDigits.add(digits);
  }
  for (const other of values.other) {
    // Telephone numbers and postcodes in the header: their digits; a phone number also without
    // its country or area code (the last 8 or 7 digits).
    const digits = other.replace(/\D/g, '');
    if (digits.length >= 6) idDigits.add(digits);
    if (/^\+?[\d\s().-]+$/.test(other.trim()))
      for (const local of [8, 7]) if (digits.length > local + 1) idDigits.add(digits.slice(-local));
  }

  const datePattern =
    dateAlternatives.size === 0
      ? null
      : new RegExp(`(?<!\\d)(?:${[...dateAlternatives].join('|')})(?!\\d)`, 'gu');

  const fuzzyNameWords = [...nameWords].filter((word) => word.length >= 5 && /^\p{L}+$/u.test(word));
  const byLength = (a: string, b: string): number => b.length - a.length;
  return {
    needles: [...needles].sort(byLength),
    nameWords,
    fuzzyNameWords,
    initials,
    hanNames: [...hanNames].sort(byLength),
    placeWords,
    hanPlaces: [...hanPlaces].sort(byLength),
    institutionWords,
    hanInstitutions: [...hanInstitutions].sort(byLength),
    idForms: [...idForms].sort(byLength),
    idDigits: [...idDigits].sort(byLength),
    datePattern,
  };
}

/** The needles found in `text` (case-insensitive; spaces and carets ignored for names). */
export function findIdentifying(text: string, values: IdentifyingValues): string[] {
  const haystack = text.toLowerCase();
  const squeezed = haystack.replace(/[\s^_,]+/g, '');
  const found: string[] = [];
  for (const needle of values.needles) {
    if (
      haystack.includes(needle) ||
      (needle.length >= 4 && squeezed.includes(needle.replace(/[\s^_,]+/g, '')))
    )
      found.push(needle);
  }
  return found;
}

/** True when `a` and `b` differ by at most one insertion, deletion or substitution. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < la && j < lb) {
    if (a[i] === b[j]) {
      i += 1;
      j += 1;
      continue;
    }
    edits += 1;
    if (edits > 1) return false;
    if (la > lb) i += 1;
    else if (lb > la) j += 1;
    else {
      i += 1;
      j += 1;
    }
  }
  return edits + (la - i) + (lb - j) <= 1;
}
