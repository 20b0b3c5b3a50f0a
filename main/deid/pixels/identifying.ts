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
const CONFUSABLE: Readonly<Record<string, string>> = { O: '0', Q: '0', D: '0', I: '1', L: '1', J: '1', T: '1', Z: '2', S: '5', B: '8', G: '6' };

function canonical(text: string): string {
  let result = '';
  for (const character of text) result += CONFUSABLE[character] ?? character;
  return result;
}

function editDistance(a: string, b: string): number {
  const previous = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j += 1) previous[j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
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

/** True when an OCR word is, contains, or is a fragment of an identifying token, allowing OCR errors. */
export function matchesIdentifying(word: string, tokens: readonly string[]): boolean {
  const candidate = canonical(normaliseForMatching(word));
  if (candidate.length < 3 && !/[\u3400-\u9FFF]{2,}/.test(candidate)) return false;
  for (const token of tokens) {
    if (candidate.includes(token) || (candidate.length >= 4 && token.includes(candidate))) return true;
    const allowed = Math.floor(Math.min(candidate.length, token.length) / 4);
    if (allowed > 0 && Math.abs(candidate.length - token.length) <= allowed && editDistance(candidate, token) <= allowed) return true;
  }
  return false;
}
