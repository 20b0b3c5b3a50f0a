/**
 * Private attributes: all removed, except under Retain Safe Private the elements the safe list
 * names for their block's creator, and the creators of the blocks that keep one.
 */
import type { DicomElement } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';
import type { ObjectContext } from './context.js';
import { isPrivate } from './tags.js';
import { record, shown } from './trace.js';
import { ascii, trimValue } from './values.js';

/** Private creators of one dataset, by block: (gggg,00xx) → creator string. */
export function privateCreators(context: ObjectContext, elements: DicomElement[]): Map<number, string> {
  const creators = new Map<number, string>();
  for (const element of elements) {
    const low = element.tag & 0xffff;
    if (isPrivate(element.tag) && low >= 0x10 && low <= 0xff) {
      creators.set(((element.tag >>> 16) << 8) | low, trimValue(ascii(context.source, element)));
    }
  }
  return creators;
}

/** Which private elements of one dataset (one item, or the top level) are kept. */
export interface PrivateBlocks {
  keeps(element: DicomElement): boolean;
}

/**
 * Decides every private element of one dataset: safe data elements first, so that their
 * creators can be kept with them.
 */
export function privateBlocks(context: ObjectContext, elements: DicomElement[]): PrivateBlocks {
  const retainPrivate = context.options.has('retainSafePrivate');
  const creators = retainPrivate ? privateCreators(context, elements) : new Map<number, string>();
  const keptBlocks = new Set<number>();
  const privateDecisions = new Map<DicomElement, boolean>();
  for (const element of elements) {
    if (!isPrivate(element.tag)) continue;
    const low = element.tag & 0xffff;
    const group = element.tag >>> 16;
    if (low < 0x1000) continue;
    const block = (group << 8) | (low >>> 8);
    const creator = creators.get(block);
    const safe =
      retainPrivate &&
      creator !== undefined &&
      context.safePrivate.has(creator, group, low & 0xff) &&
      !element.items;
    privateDecisions.set(element, safe);
    if (safe) keptBlocks.add(block);
  }
  return {
    keeps(element: DicomElement): boolean {
      const low = element.tag & 0xffff;
      const group = element.tag >>> 16;
      return low >= 0x1000
        ? privateDecisions.get(element) === true
        : low >= 0x10 && low <= 0xff && keptBlocks.has((group << 8) | low);
    },
  };
}

/** A private element: copied when kept, otherwise removed (null). */
export function privateElement(
  context: ObjectContext,
  blocks: PrivateBlocks,
  element: DicomElement,
  depth: number,
): OutElement | null {
  if (blocks.keeps(element)) {
    context.counts.privateKept += 1;
    if (context.trace)
      record(context, element, element.vr, depth, 'K (safe private)', shown(context, element, element.vr));
    return { kind: 'copy', source: element };
  }
  context.counts.privateRemoved += 1;
  record(context, element, element.vr, depth, 'X (private)', '');
  return null;
}
