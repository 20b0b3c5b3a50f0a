/**
 * Private attributes: all removed, except under Retain Safe Private (Table E.1-1's Private
 * Attributes row, C) the elements the safe list names for their block's creator, and the
 * creators of the blocks that keep one. A safe-listed element is not kept whatever it holds:
 *
 * - its value must be what the list says (its VR; an element stored as UN or in implicit VR must
 *   parse as that VR: a number where a number is expected, a code where a code is, no text in a
 *   binary number), otherwise
 *   it is removed; a sequence where the list expects a value is removed;
 * - then it is cleaned as its kind requires (C): free text through the free-text cleaner, codes
 *   for the object's identifying values, UIDs remapped, dates shifted or removed with the
 *   longitudinal option, a number that repeats one of the object's identifying numbers (an ID's
 *   digits, a date) removed; a safe-listed sequence is walked like any kept sequence.
 *
 * Creators are compared as PS3.5 compares them (profile/safe-private.ts, privateCreatorKey).
 */
import { tagKey } from '../dicom/dictionary.js';
import type { DicomElement } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';
import type { SafePrivateAttribute } from '../profile/safe-private.js';
import { cleanText } from './clean-text.js';
import { warn, type ObjectContext } from './context.js';
import { isPrivate, temporalVrs } from './tags.js';
import { shiftDates } from './temporal.js';
import { record, shown } from './trace.js';
import { uid } from './uids.js';
import { ascii } from './values.js';

/** Private creators of one dataset, by block: (gggg,00xx) → creator value as written (padding included). */
export function privateCreators(context: ObjectContext, elements: DicomElement[]): Map<number, string> {
  const creators = new Map<number, string>();
  for (const element of elements) {
    const low = element.tag & 0xffff;
    if (isPrivate(element.tag) && low >= 0x10 && low <= 0xff && !element.items) {
      creators.set(((element.tag >>> 16) << 8) | low, ascii(context.source, element));
    }
  }
  return creators;
}

/** Which private elements of one dataset (one item, or the top level) are kept. */
export interface PrivateBlocks {
  keeps(element: DicomElement): boolean;
  /** The safe-list entry of a kept data element, and the VR its value was checked as. */
  safe(element: DicomElement): { entry: SafePrivateAttribute; vr: string } | undefined;
}

const numberPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const binaryWidths: Record<string, number> = {
  FL: 4,
  OF: 4,
  FD: 8,
  OD: 8,
  SL: 4,
  UL: 4,
  SS: 2,
  US: 2,
  SV: 8,
  UV: 8,
  AT: 4,
  OL: 4,
  OV: 8,
};
const freeTextVrs = new Set(['LO', 'SH', 'LT', 'ST', 'UT', 'UC', 'PN']);

/** The values of a string VR, padding removed. */
function stringValues(context: ObjectContext, element: DicomElement): string[] {
  const text = ascii(context.source, element).replace(/[\0 ]+$/, '');
  return text === '' ? [] : text.split('\\').map((value) => value.trim());
}

/**
 * Any bytes decode as numbers, so a binary value is checked for what numbers are not: text (a run
 * of four or more printable ASCII bytes with a letter, in a 4- or 8-byte type: a name written into
 * a float) and, for floats, NaN or infinities.
 */
function plausibleBinary(context: ObjectContext, element: DicomElement, vr: string, width: number): boolean {
  const bytes = context.source.subarray(element.valueStart, element.valueStart + element.valueLength);
  if (width >= 4 && bytes.length >= 4) {
    let run = 0;
    let letter = false;
    for (const byte of bytes) {
      if (byte >= 0x20 && byte <= 0x7e) {
        run += 1;
        letter ||= (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a;
        if (run >= 4 && letter) return false;
      } else {
        run = 0;
        letter = false;
      }
    }
  }
  if (vr === 'FL' || vr === 'FD' || vr === 'OF' || vr === 'OD') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const little = context.encoding.littleEndian;
    for (let offset = 0; offset + width <= bytes.length; offset += width) {
      const value = width === 4 ? view.getFloat32(offset, little) : view.getFloat64(offset, little);
      if (!Number.isFinite(value)) return false;
    }
  }
  return true;
}

/**
 * Whether an element's value is what a safe-list entry expects: stored with that VR, or stored as
 * UN (implicit VR, or UN in explicit VR) and parsing as that VR.
 */
export function holdsExpectedVr(context: ObjectContext, element: DicomElement, expected: string): boolean {
  if (element.items) return expected === 'SQ';
  if (expected === 'SQ') return false;
  if (element.vr !== 'UN' && element.vr !== expected) return false;
  const length = element.valueLength;
  const width = binaryWidths[expected];
  if (width !== undefined) return length % width === 0 && plausibleBinary(context, element, expected, width);
  if (['OB', 'OW', 'UN'].includes(expected)) return true;
  const bytes = context.source.subarray(element.valueStart, element.valueStart + length);
  const values = stringValues(context, element);
  switch (expected) {
    case 'DS':
      return values.every((value) => value.length <= 16 && numberPattern.test(value));
    case 'IS':
      return values.every((value) => value.length <= 12 && /^[+-]?\d+$/.test(value));
    case 'CS':
      return values.every((value) => value.length <= 16 && /^[A-Z0-9_ ]*$/.test(value));
    case 'UI':
      return values.every((value) => value.length <= 64 && /^[0-9.]+$/.test(value));
    case 'DA':
      return values.every((value) => /^\d{8}$/.test(value));
    case 'TM':
      return values.every((value) => /^\d{2,6}(\.\d{1,6})?$/.test(value));
    case 'DT':
      return values.every((value) => /^\d{4,14}(\.\d{1,6})?([+-]\d{4})?$/.test(value));
    case 'AS':
      return values.every((value) => /^\d{3}[DWMY]$/.test(value));
    default: {
      // Text: no control characters but ESC (code extensions) and, in long text, line breaks and tabs.
      const allowed = ['LT', 'ST', 'UT'].includes(expected) ? [0x09, 0x0a, 0x0c, 0x0d, 0x1b] : [0x1b];
      return bytes.every((byte) => byte >= 0x20 || allowed.includes(byte) || byte === 0);
    }
  }
}

/**
 * Decides every private element of one dataset: safe data elements first (safe-listed for their
 * block's creator, and holding what the list expects), so that their creators can be kept with them.
 */
export function privateBlocks(context: ObjectContext, elements: DicomElement[]): PrivateBlocks {
  const retainPrivate = context.options.has('retainSafePrivate');
  const creators = retainPrivate ? privateCreators(context, elements) : new Map<number, string>();
  const keptBlocks = new Set<number>();
  const safeElements = new Map<DicomElement, { entry: SafePrivateAttribute; vr: string }>();
  if (retainPrivate) {
    for (const element of elements) {
      if (!isPrivate(element.tag)) continue;
      const low = element.tag & 0xffff;
      const group = element.tag >>> 16;
      if (low < 0x1000) continue;
      const block = (group << 8) | (low >>> 8);
      const creator = creators.get(block);
      if (creator === undefined) continue;
      const entry = context.safePrivate.get(creator, group, low & 0xff);
      if (!entry) continue;
      if (!holdsExpectedVr(context, element, entry.vr)) {
        warn(context, {
          code: 'safe-private-unexpected-value',
          message:
            'A safe private attribute did not hold the kind of value the safe list expects (for example text where a number belongs) and was removed.',
          tag: tagKey(element.tag),
        });
        continue;
      }
      // A date kept by nothing (neither longitudinal option) goes, and does not keep its creator.
      if (
        temporalVrs.has(entry.vr) &&
        !context.options.has('retainLongitudinalFullDates') &&
        !context.options.has('retainLongitudinalModifiedDates')
      )
        continue;
      safeElements.set(element, { entry, vr: entry.vr });
      keptBlocks.add(block);
    }
  }
  return {
    keeps(element: DicomElement): boolean {
      const low = element.tag & 0xffff;
      const group = element.tag >>> 16;
      return low >= 0x1000
        ? safeElements.has(element)
        : low >= 0x10 && low <= 0xff && keptBlocks.has((group << 8) | low);
    },
    safe(element: DicomElement) {
      return safeElements.get(element);
    },
  };
}

/** Whether a number repeats one of the object's identifying numbers (an ID's digits, a date). */
function repeatsIdentifyingNumber(context: ObjectContext, element: DicomElement): boolean {
  const digits = stringValues(context, element).map((value) => value.replace(/\D/g, ''));
  const numbers = context.identifying.needles
    .map((needle) => needle.replace(/\D/g, ''))
    .filter((needle) => needle.length >= 6);
  return digits.some((value) => value.length >= 6 && numbers.some((needle) => value.includes(needle)));
}

function removePrivate(context: ObjectContext, element: DicomElement, depth: number, why: string): null {
  context.counts.privateRemoved += 1;
  record(context, element, element.vr, depth, why, '');
  return null;
}

/**
 * A private element: a safe one cleaned as its kind requires (see the file comment), anything
 * else removed (null). `walkSequence` walks a safe-listed sequence like any kept sequence.
 */
export function privateElement(
  context: ObjectContext,
  blocks: PrivateBlocks,
  element: DicomElement,
  depth: number,
  walkSequence: (element: DicomElement, depth: number) => OutElement,
): OutElement | null {
  if (!blocks.keeps(element)) return removePrivate(context, element, depth, 'X (private)');
  const safe = blocks.safe(element);
  if (!safe) {
    // The creator of a block that keeps an element.
    context.counts.privateKept += 1;
    if (context.trace)
      record(context, element, element.vr, depth, 'K (private creator)', shown(context, element, element.vr));
    return { kind: 'copy', source: element };
  }
  const { vr } = safe;
  const copy = (): OutElement => {
    if (context.trace) record(context, element, vr, depth, 'K (safe private)', shown(context, element, vr));
    return { kind: 'copy', source: element };
  };
  let out: OutElement | null;
  if (vr === 'SQ') {
    out = walkSequence(element, depth);
  } else if (vr === 'UI') {
    out = context.options.has('retainUIDs') ? copy() : uid(context, element, vr, depth, 'C (safe private)');
  } else if (temporalVrs.has(vr)) {
    out = context.options.has('retainLongitudinalFullDates')
      ? copy()
      : shiftDates(context, element, vr, depth);
  } else if (element.valueLength > 0 && freeTextVrs.has(vr)) {
    // Free text is cleaned like any free text the profile cleans (C).
    out = cleanText(context, element, vr, depth, 'C');
  } else if (element.valueLength > 0 && ['CS', 'AE', 'AS', 'UR'].includes(vr)) {
    // Codes are vocabulary: only the object's identifying values are taken out.
    out = cleanText(context, element, vr, depth, 'C (safe private)');
  } else if ((vr === 'DS' || vr === 'IS') && repeatsIdentifyingNumber(context, element)) {
    warn(context, {
      code: 'safe-private-identifying-number',
      message:
        "A safe private number repeated one of the patient's identifying numbers (an ID or a date) and was removed.",
      tag: tagKey(element.tag),
    });
    return removePrivate(context, element, depth, 'X (safe private, identifying number)');
  } else {
    out = copy();
  }
  if (out === null) {
    context.counts.privateRemoved += 1;
    return null;
  }
  context.counts.privateKept += 1;
  return out;
}
