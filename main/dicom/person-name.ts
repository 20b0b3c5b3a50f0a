/**
 * Person Name (PN) values: up to three component groups separated by `=` (alphabetic,
 * ideographic, phonetic), each with five `^`-separated components (family, given, middle,
 * prefix, suffix). PS3.5 §6.2.1.
 *
 * Display decision: the worklist shows the ideographic form when there is one, followed by the
 * alphabetic form in parentheses ("山田^太郎 (Yamada^Tarou)"); otherwise the alphabetic form;
 * the phonetic form only when it is the only one. Groups keep their `^` separators (the form
 * radiologists see on every PACS) with trailing empty components removed. Search covers all
 * three groups, so "Yamada", "山田" and "やまだ" all find the patient.
 */
export interface PersonName {
  alphabetic: string;
  ideographic: string;
  phonetic: string;
}

/** Splits the first value of a decoded PN element into its groups. */
export function parsePersonName(decoded: string): PersonName {
  const firstValue = decoded.split('\\')[0] ?? '';
  const [alphabetic = '', ideographic = '', phonetic = ''] = firstValue.split('=');
  return {
    alphabetic: tidyGroup(alphabetic),
    ideographic: tidyGroup(ideographic),
    phonetic: tidyGroup(phonetic),
  };
}

/** Trailing empty components (and padding) removed: "Doe^John^^^" → "Doe^John". */
function tidyGroup(group: string): string {
  return group.trim().replace(/\^+$/, '');
}

export function displayPersonName(name: PersonName): string {
  if (name.ideographic && name.alphabetic) return `${name.ideographic} (${name.alphabetic})`;
  return name.ideographic || name.alphabetic || name.phonetic;
}

/** Every group, for search. */
export function personNameSearchText(name: PersonName): string {
  return [name.alphabetic, name.ideographic, name.phonetic].filter(Boolean).join(' ');
}
