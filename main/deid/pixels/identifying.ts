/**
 * Matching OCR words against the header's own identifying values. OCR of small overlay fonts is
 * noisy ("DOE^JOHN" read as "DoEATOHY"), so a word counts as identifying when it is close to a
 * token of a value, not only equal to it. Knowing what to look for lets the cleaner mask words
 * that Tesseract read with low confidence, which it would otherwise have to ignore to avoid
 * blanking anatomy.
 */

/** Upper-case letters and digits only (CJK ideographs kept); OCR confuses punctuation most. */
export function normaliseForMatching(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^0-9A-Z\u3400-\u9FFF]/g, '');
}

/** Characters Tesseract swaps for each other in these fonts; compared as equal. */
const CONFUSABLE: Readonly<Record<string, string>> = {
  O: '0',
  Q: '0',
  D: '0',
  I: '1',
  L: '1',
  J: '1',
  T: '1',
  Z: '2',
  S: '5',
  B: '8',
  G: '6',
};

function canonical(text: string): string {
  let result = '';
  for (const character of text) result += CONFUSABLE[character] ?? character;
  return result;
}

/** Smallest edit distance between `needle` and any substring of `haystack` (semi-global alignment). */
function distanceWithin(needle: string, haystack: string): number {
  let previous = new Array<number>(haystack.length + 1).fill(0);
  for (let i = 1; i <= needle.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= haystack.length; j += 1) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (needle[i - 1] === haystack[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return Math.min(...previous);
}

/** OCR errors tolerated in a string of this length: none below 4 characters, then about one in three. */
function toleratedErrors(length: number): number {
  if (length < 4) return 0;
  if (length < 6) return 1;
  return Math.floor(length / 3);
}

/** Tokens worth looking for: the parts of each value, and the whole value without separators. */
export function identifyingTokens(values: readonly string[]): string[] {
  const tokens = new Set<string>();
  for (const value of values) {
    const whole = normaliseForMatching(value);
    if (whole.length >= 3) tokens.add(canonical(whole));
    for (const part of value.split(/[\s^=,;:/\\.\-_()[\]]+/)) {
      const token = normaliseForMatching(part);
      // Two-character tokens (initials, "MR") match far too much random OCR noise.
      if (token.length >= 3 || /[\u3400-\u9FFF]{2,}/.test(token)) tokens.add(canonical(token));
    }
  }
  return [...tokens];
}

/**
 * True when an OCR word contains an identifying token, or is a fragment of one (4+ characters),
 * allowing OCR errors (bold digits are often misread: MRK0012 → MRK6612).
 */
export function matchesIdentifying(word: string, tokens: readonly string[]): boolean {
  const candidate = canonical(normaliseForMatching(word));
  if (candidate.length < 3 && !/[\u3400-\u9FFF]{2,}/.test(candidate)) return false;
  for (const token of tokens) {
    if (distanceWithin(token, candidate) <= toleratedErrors(token.length)) return true;
    if (candidate.length >= 4 && distanceWithin(candidate, token) <= toleratedErrors(candidate.length))
      return true;
  }
  return false;
}
