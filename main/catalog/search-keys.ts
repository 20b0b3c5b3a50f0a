/**
 * The normalized forms the worklist searches and sorts by, so a person finds a patient however
 * they type the name: "王小东", "王 小东", "Wang^Xiaodong", "wangxiaodong", "wáng xiǎo dōng",
 * "li3 lei2" or "ZOE" for "Zoë".
 *
 * - Folding: lower case, diacritics removed (NFKD without combining marks; ø, ł, đ, æ, œ, ß by hand).
 * - Search text: folded, PN separators (`^`, `=`) and runs of white space as single spaces; every
 *   word of a query must occur in it (Catalog.listStudies).
 * - Name keys, appended to the search text: each name group written without separators
 *   ("王小东", "lilei") and, for groups with Hanzi, their pinyin without tones and separators
 *   ("wangxiaodong"). A query is also compared whole, without separators and tone digits, against
 *   them: this is what finds a full name typed without the caret or with other spacing.
 * - Sort key: the first name group folded, Hanzi as pinyin ("li lei"), so Chinese names sort by
 *   pinyin among Latin ones (the order zh-CN readers expect, and a usable one in English).
 */
import { pinyinSyllables } from '../core/pinyin.js';
import type { PersonName } from '../dicom/person-name.js';

const HAN = /\p{Script=Han}/u;
const HAN_RUN = /\p{Script=Han}+/gu;
const LETTER_MAP: Record<string, string> = {
  ø: 'o',
  ł: 'l',
  đ: 'd',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ı: 'i',
  þ: 'th',
  ð: 'd',
};

/** Lower case without diacritics ("Zoë Ångström" → "zoe angstrom"); other scripts unchanged. */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[øłđæœßıþð]/g, (letter) => LETTER_MAP[letter] ?? letter)
    .normalize('NFC');
}

/** The form search compares: folded, PN separators and runs of white space as single spaces. */
export function searchable(text: string): string {
  return fold(text)
    .replace(/[\^=\s]+/g, ' ')
    .trim();
}

/** Separators a person may or may not type inside a name. */
const NAME_SEPARATORS = /[\s^=,.·'’-]+/g;

function compact(text: string): string {
  return fold(text).replace(NAME_SEPARATORS, '');
}

/** Hanzi runs replaced by their toneless pinyin syllables, space-separated ("李雷" → "li lei"). */
function withPinyin(text: string): string {
  return text.replace(HAN_RUN, (run) => ` ${pinyinSyllables(run).join(' ')} `);
}

/** The name keys of a patient (see the module comment), unique, for the search text. */
export function nameSearchKeys(name: PersonName): string[] {
  const keys = new Set<string>();
  for (const group of [name.alphabetic, name.ideographic, name.phonetic]) {
    if (!group) continue;
    keys.add(compact(group));
    if (HAN.test(group)) keys.add(compact(withPinyin(group)));
  }
  keys.delete('');
  return [...keys];
}

/**
 * A query as one name key: folded, without separators, and without tone digits when it reads as
 * numbered pinyin ("Li3 Lei2" → "lilei"). Empty when the query is empty.
 */
export function compactQuery(query: string): string {
  const key = compact(query);
  // Two or more syllables each with its tone digit: "li3lei2", not an ID such as "a1" or "ct12".
  return /^(?:[a-z]{1,6}[1-5]){2,}$/.test(key) ? key.replace(/[1-5]/g, '') : key;
}

/** The key the worklist sorts patient names by: first name group, folded, Hanzi as pinyin. */
export function nameSortKey(name: PersonName): string {
  const source = name.alphabetic || name.ideographic || name.phonetic;
  return searchable(withPinyin(source)).replace(/\s+/g, ' ');
}

/** What a study's search_text holds: its words (searchable) and its patient's name keys. */
export function studySearchText(
  name: PersonName,
  fields: { patientId: string; accessionNumber: string; studyDescription: string },
): string {
  const words = searchable(
    [
      name.alphabetic,
      name.ideographic,
      name.phonetic,
      fields.patientId,
      fields.accessionNumber,
      fields.studyDescription,
    ]
      .filter(Boolean)
      .join(' '),
  );
  return [words, ...nameSearchKeys(name)].filter(Boolean).join(' ');
}
