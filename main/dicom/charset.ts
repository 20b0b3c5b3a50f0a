/**
 * Decoding of DICOM text values (SH, LO, ST, LT, UT, UC, PN) under SpecificCharacterSet (0008,0005),
 * PS3.5 §6.1 and Annex H/I/J. Two families:
 *
 * - Without code extensions (ISO_IR 100, ISO_IR 192, GB18030, GBK, …): the whole value is decoded
 *   with one decoder.
 * - With ISO 2022 code extensions (any multi-valued SpecificCharacterSet, or a single
 *   `ISO 2022 IR …`): escape sequences switch the G0 and G1 sets inside a value, and the sets are
 *   reset to the initial ones at every delimiter (`^` and `=` in PN; `\`, CR, LF, TAB, FF elsewhere).
 *
 * Multi-byte sets are decoded by mapping them onto the EUC form the WHATWG TextDecoder knows
 * (JIS X 0208 → EUC-JP, KS X 1001 → EUC-KR, GB 2312 → GBK). When the runtime lacks a decoder, the
 * bytes are shown as Latin-1 rather than failing the import: a name shown oddly beats a study lost.
 */
import { TextDecoder } from 'node:util';

/**
 * How delimiters reset code extensions (PS3.5 6.1.2.5.3): PN resets on ^ and = (and \ between
 * values); multi-valued text (SH, LO, UC) on \ and the control characters CR, LF, TAB, FF;
 * single-valued text (ST, LT, UT), where \ is an ordinary character, on the control characters only.
 */
export type TextKind = 'pn' | 'text' | 'single';

/** The TextKind of a value representation. */
export function textKindFor(vr: string): TextKind {
  if (vr === 'PN') return 'pn';
  return vr === 'ST' || vr === 'LT' || vr === 'UT' ? 'single' : 'text';
}

type G0 = 'ascii' | 'jis-roman' | 'jis-x0208' | 'jis-x0212';
type G1 = 'none' | 'katakana' | 'ks-x1001' | 'gb2312' | { singleByte: string };

interface CodeState {
  g0: G0;
  g1: G1;
}

/** Defined terms without code extensions → WHATWG encoding label. */
const SINGLE_DECODER_TERMS: Record<string, string> = {
  '': 'windows-1252',
  ISO_IR_6: 'windows-1252',
  ISO_IR_100: 'iso-8859-1',
  ISO_IR_101: 'iso-8859-2',
  ISO_IR_109: 'iso-8859-3',
  ISO_IR_110: 'iso-8859-4',
  ISO_IR_144: 'iso-8859-5',
  ISO_IR_127: 'iso-8859-6',
  ISO_IR_126: 'iso-8859-7',
  ISO_IR_138: 'iso-8859-8',
  ISO_IR_148: 'iso-8859-9',
  ISO_IR_203: 'iso-8859-15',
  ISO_IR_166: 'windows-874',
  ISO_IR_13: 'shift_jis',
  ISO_IR_192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

/** The G1 single-byte sets reachable by `ESC - F` (final byte F) and their encodings. */
const G1_SINGLE_BYTE_BY_FINAL: Record<string, string> = {
  A: 'iso-8859-1', // ISO 2022 IR 100
  B: 'iso-8859-2', // IR 101
  C: 'iso-8859-3', // IR 109
  D: 'iso-8859-4', // IR 110
  L: 'iso-8859-5', // IR 144
  G: 'iso-8859-6', // IR 127
  F: 'iso-8859-7', // IR 126
  H: 'iso-8859-8', // IR 138
  M: 'iso-8859-9', // IR 148
  b: 'iso-8859-15', // IR 203
  T: 'windows-874', // IR 166
};

/** The initial code state a `ISO 2022 IR n` term designates (first value of 0008,0005). */
function initialStateFor(term: string): CodeState {
  const normalised = normaliseTerm(term);
  switch (normalised) {
    case '':
    case 'ISO_2022_IR_6':
    case 'ISO_IR_6':
      return { g0: 'ascii', g1: 'none' };
    case 'ISO_2022_IR_13':
    case 'ISO_IR_13':
      return { g0: 'jis-roman', g1: 'katakana' };
    case 'ISO_2022_IR_87':
      return { g0: 'jis-x0208', g1: 'none' };
    case 'ISO_2022_IR_159':
      return { g0: 'jis-x0212', g1: 'none' };
    case 'ISO_2022_IR_149':
      return { g0: 'ascii', g1: 'ks-x1001' };
    case 'ISO_2022_IR_58':
      return { g0: 'ascii', g1: 'gb2312' };
    default: {
      const label = SINGLE_DECODER_TERMS[normalised.replace('ISO_2022_', 'ISO_')];
      return { g0: 'ascii', g1: label ? { singleByte: label } : 'none' };
    }
  }
}

/** `ISO 2022 IR 100`, `ISO_IR 100`, ` iso_ir 100 ` → canonical `ISO_2022_IR_100` / `ISO_IR_100`. */
function normaliseTerm(term: string): string {
  return term
    .trim()
    .toUpperCase()
    .replace(/[\s_]+/g, '_');
}

/** SpecificCharacterSet as its values ('' for an absent or empty first value). */
export function parseSpecificCharacterSet(raw: string | undefined): string[] {
  if (raw == null) return [''];
  const values = raw.split('\\').map((value) => value.trim());
  return values.length === 0 ? [''] : values;
}

export function usesCodeExtensions(terms: readonly string[]): boolean {
  return terms.length > 1 || normaliseTerm(terms[0] ?? '').startsWith('ISO_2022_');
}

const decoders = new Map<string, TextDecoder | null>();
function decoderFor(label: string): TextDecoder | null {
  if (!decoders.has(label)) {
    try {
      decoders.set(label, new TextDecoder(label));
    } catch {
      decoders.set(label, null);
    }
  }
  return decoders.get(label) ?? null;
}

function decodeWith(label: string, bytes: Uint8Array): string {
  const decoder = decoderFor(label);
  if (decoder) return decoder.decode(bytes);
  return latin1(bytes);
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
}

/**
 * Decodes one element value (all its values, backslash-separated) to a JS string. Trailing
 * padding (space or NUL) is removed; leading spaces are significant only in LT/ST/UT, which the
 * catalog does not keep, so values are trimmed at both ends by the caller where it wants.
 */
export function decodeText(bytes: Uint8Array, terms: readonly string[], kind: TextKind = 'text'): string {
  const text = usesCodeExtensions(terms)
    ? decodeWithCodeExtensions(bytes, terms, kind)
    : decodeWith(SINGLE_DECODER_TERMS[normaliseTerm(terms[0] ?? '')] ?? 'windows-1252', bytes);
  return text.replace(/[\0 ]+$/, '');
}

const ESC = 0x1b;

function isDelimiter(byte: number, kind: TextKind): boolean {
  if (kind === 'pn') return byte === 0x5e /* ^ */ || byte === 0x3d /* = */ || byte === 0x5c; /* \ */
  if (byte === 0x5c) return kind === 'text';
  return byte === 0x0d || byte === 0x0a || byte === 0x09 || byte === 0x0c;
}

function decodeWithCodeExtensions(bytes: Uint8Array, terms: readonly string[], kind: TextKind): string {
  const initial = initialStateFor(terms[0] ?? '');
  let state: CodeState = { ...initial };
  let out = '';
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index]!;
    if (byte === ESC) {
      const consumed = applyEscape(bytes, index, state);
      if (consumed > 0) {
        index += consumed;
        continue;
      }
      index += 1; // An unknown escape is dropped rather than shown as a control character.
      continue;
    }
    const multiByteG0 = state.g0 === 'jis-x0208' || state.g0 === 'jis-x0212';
    if (!multiByteG0 && byte < 0x80 && isDelimiter(byte, kind)) {
      out += String.fromCharCode(byte);
      state = { ...initial };
      index += 1;
      continue;
    }
    // A run of bytes decoded under the current state: up to the next ESC, delimiter or a change
    // between the G0 (< 0x80) and G1 (≥ 0x80) halves.
    const high = byte >= 0x80;
    let end = index;
    while (end < bytes.length) {
      const next = bytes[end]!;
      if (next === ESC || next >= 0x80 !== high) break;
      if (!multiByteG0 && next < 0x80 && isDelimiter(next, kind)) break;
      end += 1;
    }
    out += decodeRun(bytes.subarray(index, end), state, high);
    index = end;
  }
  return out;
}

/** Applies the escape sequence at `index` to `state`; returns its length, or 0 if unknown. */
function applyEscape(bytes: Uint8Array, index: number, state: CodeState): number {
  const b1 = bytes[index + 1];
  const b2 = bytes[index + 2];
  const b3 = bytes[index + 3];
  const char = (byte: number | undefined) => (byte === undefined ? '' : String.fromCharCode(byte));
  const seq = char(b1) + char(b2) + char(b3);
  if (seq.startsWith('(B')) return set(state, { g0: 'ascii' }, 3);
  if (seq.startsWith('(J')) return set(state, { g0: 'jis-roman' }, 3);
  if (seq.startsWith(')I')) return set(state, { g1: 'katakana' }, 3);
  if (seq.startsWith('$B')) return set(state, { g0: 'jis-x0208' }, 3);
  if (seq.startsWith('$@')) return set(state, { g0: 'jis-x0208' }, 3); // JIS C 6226-1978, decoded as 0208
  if (seq === '$(D') return set(state, { g0: 'jis-x0212' }, 4);
  if (seq === '$)C') return set(state, { g1: 'ks-x1001' }, 4);
  if (seq === '$)A') return set(state, { g1: 'gb2312' }, 4);
  if (seq.startsWith('-') && b2 !== undefined) {
    const label = G1_SINGLE_BYTE_BY_FINAL[char(b2)];
    if (label) return set(state, { g1: { singleByte: label } }, 3);
  }
  return 0;
}

function set(state: CodeState, change: Partial<CodeState>, length: number): number {
  Object.assign(state, change);
  return length;
}

function decodeRun(run: Uint8Array, state: CodeState, high: boolean): string {
  if (!high) {
    switch (state.g0) {
      case 'ascii':
      case 'jis-roman':
        return latin1(run);
      case 'jis-x0208':
        return decodeWith(
          'euc-jp',
          run.map((byte) => byte | 0x80),
        );
      case 'jis-x0212': {
        // EUC-JP reaches JIS X 0212 through the SS3 (0x8F) prefix before each two-byte character.
        const euc: number[] = [];
        for (let i = 0; i + 1 < run.length; i += 2) euc.push(0x8f, run[i]! | 0x80, run[i + 1]! | 0x80);
        return decodeWith('euc-jp', Uint8Array.from(euc));
      }
    }
  }
  const g1 = state.g1;
  if (g1 === 'none') return latin1(run);
  if (g1 === 'katakana') return decodeWith('shift_jis', run); // JIS X 0201 katakana = SJIS 0xA1–0xDF
  if (g1 === 'ks-x1001') return decodeWith('euc-kr', run);
  if (g1 === 'gb2312') return decodeWith('gbk', run);
  return decodeWith(g1.singleByte, run);
}

// ---------------------------------------------------------------------------------------------
// Encoding: the reverse of decodeText, for a cleaned value written back in the dataset's own
// character set. Tables are built lazily from the same WHATWG decoders, so encode and decode agree.

type ReverseTable = Map<string, number[]>;
const reverseTables = new Map<string, ReverseTable>();

function reverseTable(
  key: string,
  label: string,
  leads: [number, number] | null,
  trails: [number, number],
): ReverseTable {
  let table = reverseTables.get(key);
  if (table) return table;
  table = new Map();
  const decoder = decoderFor(label);
  if (decoder) {
    if (leads === null) {
      for (let byte = trails[0]; byte <= trails[1]; byte += 1) {
        const char = decoder.decode(Uint8Array.of(byte));
        if (char.length === 1 && char !== '\ufffd' && !table.has(char)) table.set(char, [byte]);
      }
    } else {
      const pair = new Uint8Array(2);
      for (let lead = leads[0]; lead <= leads[1]; lead += 1) {
        pair[0] = lead;
        for (let trail = trails[0]; trail <= trails[1]; trail += 1) {
          if (trail === 0x7f) continue;
          pair[1] = trail;
          const char = decoder.decode(pair);
          if ([...char].length === 1 && char !== '\ufffd' && !table.has(char)) table.set(char, [lead, trail]);
        }
      }
    }
  }
  reverseTables.set(key, table);
  return table;
}

const singleByteTable = (label: string): ReverseTable =>
  reverseTable(`1:${label}`, label, null, [0x80, 0xff]);
const gbkTable = (): ReverseTable => reverseTable('gbk', 'gbk', [0x81, 0xfe], [0x40, 0xfe]);
const gb2312Table = (): ReverseTable => reverseTable('gb2312', 'gbk', [0xa1, 0xf7], [0xa1, 0xfe]);
const ksTable = (): ReverseTable => reverseTable('ks', 'euc-kr', [0xa1, 0xfe], [0xa1, 0xfe]);
const jisTable = (): ReverseTable => reverseTable('jis', 'euc-jp', [0xa1, 0xfe], [0xa1, 0xfe]);
const katakanaTable = (): ReverseTable => reverseTable('kana', 'shift_jis', null, [0xa1, 0xdf]);

function encodeWithout(text: string, label: string): number[] | null {
  if (label === 'utf-8') return [...Buffer.from(text, 'utf8')];
  const table =
    label === 'gbk' || label === 'gb18030'
      ? gbkTable()
      : label === 'shift_jis'
        ? null
        : singleByteTable(label);
  const out: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) {
      out.push(code);
      continue;
    }
    const bytes = table?.get(char);
    if (!bytes) return null;
    out.push(...bytes);
  }
  return out;
}

interface Designation {
  /** The escape sequence that designates the set (empty: the set is there initially). */
  escape: number[];
  g0: G0 | null;
  g1: G1 | null;
  table: () => ReverseTable;
  /** JIS X 0208 in G0 is written with 7-bit bytes. */
  sevenBit?: boolean;
}

function designationsFor(term: string): Designation[] {
  const esc = (sequence: string): number[] => [ESC, ...[...sequence].map((char) => char.charCodeAt(0))];
  const normalised = normaliseTerm(term).replace('ISO_IR_', 'ISO_2022_IR_');
  switch (normalised) {
    case 'ISO_2022_IR_58':
      return [{ escape: esc('$)A'), g0: null, g1: 'gb2312', table: gb2312Table }];
    case 'ISO_2022_IR_149':
      return [{ escape: esc('$)C'), g0: null, g1: 'ks-x1001', table: ksTable }];
    case 'ISO_2022_IR_87':
      return [{ escape: esc('$B'), g0: 'jis-x0208', g1: null, table: jisTable, sevenBit: true }];
    case 'ISO_2022_IR_13':
      return [{ escape: esc(')I'), g0: null, g1: 'katakana', table: katakanaTable }];
    default: {
      const label = SINGLE_DECODER_TERMS[normalised.replace('ISO_2022_', 'ISO_')];
      const final = Object.entries(G1_SINGLE_BYTE_BY_FINAL).find(([, value]) => value === label)?.[0];
      if (!label || !final) return [];
      return [
        {
          escape: esc(`-${final}`),
          g0: null,
          g1: { singleByte: label },
          table: () => singleByteTable(label),
        },
      ];
    }
  }
}

function sameG1(a: G1, b: G1 | null): boolean {
  if (b === null) return false;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.singleByte === b.singleByte;
}

function encodeWithCodeExtensions(text: string, terms: readonly string[], kind: TextKind): number[] | null {
  const initial = initialStateFor(terms[0] ?? '');
  const designations = terms.flatMap((term) => designationsFor(term));
  let state: CodeState = { ...initial };
  const out: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) {
      if (state.g0 !== 'ascii' && state.g0 !== 'jis-roman') {
        out.push(ESC, 0x28, 0x42); // ESC ( B
        state.g0 = 'ascii';
      }
      out.push(code);
      if (isDelimiter(code, kind)) state = { ...initial };
      continue;
    }
    const designation = designations.find((candidate) => candidate.table().has(char));
    if (!designation) return null;
    const bytes = designation.table().get(char)!;
    if (designation.g0 !== null && state.g0 !== designation.g0) {
      out.push(...designation.escape);
      state.g0 = designation.g0;
    }
    if (designation.g1 !== null && !sameG1(state.g1, designation.g1)) {
      out.push(...designation.escape);
      state.g1 = designation.g1;
    }
    out.push(...(designation.sevenBit ? bytes.map((byte) => byte & 0x7f) : bytes));
  }
  if (state.g0 !== initial.g0) out.push(ESC, 0x28, 0x42);
  return out;
}

/**
 * Encodes `text` in the character set(s) a dataset declares: the reverse of decodeText, for a
 * cleaned value written back. Returns null when a character cannot be written in those sets (or
 * the bytes would not decode back to the same text): the caller then removes the value instead.
 * The result is not padded.
 */
export function encodeText(
  text: string,
  terms: readonly string[],
  kind: TextKind = 'text',
): Uint8Array | null {
  const bytes = usesCodeExtensions(terms)
    ? encodeWithCodeExtensions(text, terms, kind)
    : encodeWithout(text, SINGLE_DECODER_TERMS[normaliseTerm(terms[0] ?? '')] ?? 'windows-1252');
  if (!bytes) return null;
  const encoded = Uint8Array.from(bytes);
  return decodeText(encoded, terms, kind) === text.replace(/[\0 ]+$/, '') ? encoded : null;
}
