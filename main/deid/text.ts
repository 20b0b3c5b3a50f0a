/**
 * Reading text values for scanning (never for rewriting: kept values are copied byte-exact),
 * the header's own identifying values, and the scan of descriptors and SR text against them.
 */
import { TextDecoder } from 'node:util';
import { pinyin } from 'pinyin-pro';

const decoders = new Map<string, TextDecoder>();
function decoder(label: string): TextDecoder {
  let found = decoders.get(label);
  if (!found) {
    found = new TextDecoder(label, { fatal: false });
    decoders.set(label, found);
  }
  return found;
}

/** SpecificCharacterSet defined term → a WHATWG decoder label for the G1 (or only) set. */
function labelFor(term: string): string {
  switch (term.trim().toUpperCase()) {
    case 'ISO_IR 192':
      return 'utf-8';
    case 'GB18030':
      return 'gb18030';
    case 'GBK':
    case 'ISO 2022 IR 58':
      return 'gbk';
    case 'ISO_IR 13':
    case 'ISO 2022 IR 13':
    case 'ISO 2022 IR 87':
      return 'shift_jis';
    case 'ISO 2022 IR 149':
      return 'euc-kr';
    case 'ISO_IR 101':
    case 'ISO 2022 IR 101':
      return 'iso-8859-2';
    case 'ISO_IR 144':
    case 'ISO 2022 IR 144':
      return 'iso-8859-5';
    case 'ISO_IR 127':
    case 'ISO 2022 IR 127':
      return 'iso-8859-6';
    case 'ISO_IR 126':
    case 'ISO 2022 IR 126':
      return 'iso-8859-7';
    case 'ISO_IR 138':
    case 'ISO 2022 IR 138':
      return 'iso-8859-8';
    case 'ISO_IR 148':
    case 'ISO 2022 IR 148':
      return 'iso-8859-9';
    case 'ISO_IR 166':
    case 'ISO 2022 IR 166':
      return 'windows-874';
    default:
      return 'latin1';
  }
}

/** Which decoder an ISO 2022 escape sequence switches to. */
function escapeLabel(sequence: string): string | undefined {
  switch (sequence) {
    case '$)A':
    case '$A':
      return 'gbk';
    case '$B':
    case '$@':
    case '$(D':
      return 'iso-2022-jp';
    case '$)C':
      return 'euc-kr';
    case '-A':
      return 'latin1';
    case '-B':
      return 'iso-8859-2';
    case '-L':
      return 'iso-8859-5';
    case '-F':
      return 'iso-8859-7';
    case '-G':
      return 'iso-8859-6';
    case '-H':
      return 'iso-8859-8';
    case '-M':
      return 'iso-8859-9';
    case ')I':
      return 'shift_jis';
    case '(B':
    case '(J':
      return 'ascii';
    default:
      return undefined;
  }
}

/** Decodes one value for scanning, following ISO 2022 escapes when the dataset uses them. */
export function decodeText(bytes: Uint8Array, characterSets: string[]): string {
  const first = characterSets[0] ?? '';
  const usesEscapes = bytes.includes(0x1b);
  if (!usesEscapes) {
    const term =
      characterSets.length > 1 && (first === '' || first === 'ISO_IR 6') ? (characterSets[1] ?? '') : first;
    return decoder(labelFor(term)).decode(bytes);
  }
  let text = '';
  let label = labelFor(first);
  let segmentStart = 0;
  const flush = (end: number): void => {
    if (end > segmentStart) {
      const segment = bytes.subarray(segmentStart, end);
      text += label === 'ascii' ? decoder('latin1').decode(segment) : decoder(label).decode(segment);
    }
  };
  for (let i = 0; i < bytes.length; i += 1) {
    if (bytes[i] !== 0x1b) continue;
    flush(i);
    let sequence = '';
    let j = i + 1;
    while (j < bytes.length && sequence.length < 3) {
      sequence += String.fromCharCode(bytes[j]!);
      j += 1;
      if (escapeLabel(sequence)) break;
    }
    const next = escapeLabel(sequence);
    if (next === 'iso-2022-jp') {
      // JIS X 0208 is 7-bit G0: let the ISO-2022-JP decoder see its own escape.
      label = next;
      segmentStart = i;
    } else {
      label = next ?? label;
      segmentStart = j;
    }
    i = j - 1;
  }
  flush(bytes.length);
  return text;
}

/**
 * Text declared ISO_IR 100 (or default) whose high bytes all pair up as GBK double-byte
 * characters, decoding to Han ideographs: a common mislabelling by Chinese modalities.
 */
export function looksLikeMislabelledGbk(bytes: Uint8Array): boolean {
  let pairs = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    const lead = bytes[i]!;
    if (lead < 0x80) continue;
    const trail = bytes[i + 1];
    if (lead < 0x81 || lead > 0xfe || trail === undefined || trail < 0x40 || trail > 0xfe || trail === 0x7f)
      return false;
    pairs += 1;
    i += 1;
  }
  if (pairs === 0) return false;
  const decoded = decoder('gbk').decode(bytes);
  const han = decoded.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= Math.max(1, pairs * 0.6);
}

export interface IdentifyingValues {
  /** Lower-cased needles; names, ids and dates in the forms they appear in free text. */
  needles: string[];
}

const hanPattern = /\p{Script=Han}/u;

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

function nameForms(personName: string): string[] {
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
      const syllables = pinyin(hanzi, { toneType: 'none', type: 'array' });
      if (syllables.length > 0) {
        const family = pinyin(parts[0] ?? '', { toneType: 'none', type: 'array' }).join('');
        const given = pinyin(parts.slice(1).join(''), { toneType: 'none', type: 'array' }).join('');
        forms.push(syllables.join(''), syllables.join(' '));
        if (family) forms.push(family);
        if (given) forms.push(given, `${given} ${family}`, `${family} ${given}`, `${given}${family}`);
      }
    }
  }
  return forms;
}

/**
 * Builds the needle list. Very short needles would match ordinary words ("LI", "MA"), so Latin
 * fragments need 3+ characters (a two-letter surname is still caught inside a full-name form),
 * Han fragments 2+.
 */
export function identifyingValues(values: {
  names: string[];
  ids: string[];
  dates: string[];
  other: string[];
}): IdentifyingValues {
  const needles = new Set<string>();
  const add = (value: string): void => {
    const needle = value.trim().toLowerCase();
    if (hanPattern.test(needle) ? needle.length >= 2 : needle.replace(/[^a-z0-9]/g, '').length >= 3)
      needles.add(needle);
  };
  for (const name of values.names) for (const form of nameForms(name)) add(form);
  for (const id of values.ids) add(id);
  for (const date of values.dates) for (const form of dateForms(date)) add(form);
  for (const other of values.other) add(other);
  return { needles: [...needles].sort((a, b) => b.length - a.length) };
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
