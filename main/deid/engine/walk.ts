/**
 * The walk over a dataset, at every depth: each attribute gets its decision and the handler of
 * its action; sequences are walked item by item; private attributes go to private-blocks.ts; at
 * the top level, what the engine writes itself (context.forced) is merged in tag order.
 */
import { tagKey } from '../dicom/dictionary.js';
import { dictionaryVr } from '../dicom/dictionary.js';
import type { DicomElement } from '../dicom/walker.js';
import type { OutElement, OutItem } from '../dicom/writer.js';
import type { TableAction } from '../profile/profile.js';
import { cleanValue, dummyValue, emptyValue, keepValue, remapValue, removeValue } from './actions.js';
import { warn, type ObjectContext } from './context.js';
import { decide } from './decision.js';
import { privateBlocks, privateElement } from './private-blocks.js';
import { isPrivate } from './tags.js';
import { record, recordWritten } from './trace.js';

/** One public attribute under its action; null when it is removed. */
export function apply(context: ObjectContext, element: DicomElement, depth: number): OutElement | null {
  const vr = element.vr === 'UN' ? (dictionaryVr(element.tag) ?? 'UN') : element.vr;
  const { action, basic } = decide(context, element, vr);
  if (element.vr === 'UN' && vr === 'SQ' && action !== 'X' && action !== 'Z') {
    // A sequence we cannot see into cannot be cleaned: it goes.
    warn(context, {
      code: 'opaque-sequence-removed',
      message: 'A sequence stored with an unknown VR was removed.',
      tag: tagKey(element.tag),
    });
    context.counts.removed += 1;
    record(context, element, vr, depth, 'X (opaque)', '');
    return null;
  }
  switch (action) {
    case 'X':
      return removeValue(context, element, vr, depth);
    case 'Z':
      return emptyValue(context, element, vr, depth);
    case 'U':
      if (element.items) return recurse(context, element, depth, 'U');
      return remapValue(context, element, vr, depth);
    case 'D':
      if (element.items) return recurse(context, element, depth, 'D');
      return dummyValue(context, element, vr, depth);
    case 'C':
      if (element.items) return cleanSequence(context, element, depth, basic);
      return cleanValue(context, element, vr, depth);
    case 'K':
      if (element.items) return recurse(context, element, depth, 'K');
      return keepValue(context, element, vr, depth);
  }
}

function recurse(context: ObjectContext, element: DicomElement, depth: number, action: string): OutElement {
  record(context, element, 'SQ', depth, action, `${element.items?.length ?? 0} item(s)`);
  if (action === 'D') context.insideDummy += 1;
  try {
    return recurseItems(context, element, depth);
  } finally {
    if (action === 'D') context.insideDummy -= 1;
  }
}

/**
 * A sequence an option cleans keeps what its items still hold. When cleaning left every item
 * empty and the basic profile would remove the sequence (X), it goes: empty items carry nothing
 * and an empty Type 3 sequence item only adds noise.
 */
function cleanSequence(
  context: ObjectContext,
  element: DicomElement,
  depth: number,
  basic: TableAction | undefined,
): OutElement | null {
  const out = recurse(context, element, depth, 'C');
  const nothingLeft =
    out.kind === 'sequence' && out.items.every((item) => item.kind === 'item' && item.elements.length === 0);
  if (basic !== 'X' || !nothingLeft) return out;
  context.counts.removed += 1;
  record(context, element, 'SQ', depth, 'X (nothing left after cleaning)', '');
  return null;
}

function recurseItems(context: ObjectContext, element: DicomElement, depth: number): OutElement {
  let changed = false;
  const items: OutItem[] = (element.items ?? []).map((item) => {
    const result = processDataset(context, item.elements, depth + 1);
    if (!result.changed) return { kind: 'copy', source: item };
    changed = true;
    return { kind: 'item', undefinedLength: item.undefinedLength, elements: result.elements };
  });
  if (!changed) return { kind: 'copy', source: element };
  return { kind: 'sequence', tag: element.tag, undefinedLength: element.undefinedLength, items };
}

/** A dataset (the top level, or one item) rewritten; `changed` is false when it is copied as is. */
export function processDataset(
  context: ObjectContext,
  elements: DicomElement[],
  depth: number,
): { elements: OutElement[]; changed: boolean } {
  const out: OutElement[] = [];
  let changed = false;
  const blocks = privateBlocks(context, elements);
  // What the engine writes itself is traced in tag order, in place of any original it replaces.
  const written = depth === 0 ? [...context.forced.entries()].sort((a, b) => a[0] - b[0]) : [];
  let tracedWritten = 0;
  const traceWrittenUpTo = (tag: number): void => {
    while (tracedWritten < written.length && written[tracedWritten]![0] <= tag)
      recordWritten(context, written[tracedWritten++]![1]);
  };
  for (const element of elements) {
    const tag = element.tag;
    if (depth === 0) traceWrittenUpTo(tag);
    if (depth === 0 && (context.forced.has(tag) || context.dropped.has(tag))) {
      if (!context.forced.has(tag)) record(context, element, element.vr, depth, 'X (pixels decoded)', '');
      changed = true;
      continue;
    }
    if ((tag & 0xffff) === 0 || tag >>> 16 === 0x0002) {
      // Group lengths are retired and would be wrong after the rewrite; meta belongs in the header.
      changed = true;
      continue;
    }
    const result = isPrivate(tag)
      ? privateElement(context, blocks, element, depth, (sequence, at) => recurse(context, sequence, at, 'C'))
      : apply(context, element, depth);
    if (result === null) {
      changed = true;
      continue;
    }
    if (result.kind !== 'copy' || result.source !== element) changed = true;
    out.push(result);
  }
  if (depth === 0) {
    traceWrittenUpTo(Number.POSITIVE_INFINITY);
    return { elements: mergeInTagOrder(out, written), changed: true };
  }
  return { elements: out, changed };
}

/** Inserts what the engine writes itself (sorted by tag) among the walked attributes. */
function mergeInTagOrder(out: OutElement[], forced: Array<[number, OutElement]>): OutElement[] {
  const merged: OutElement[] = [];
  let index = 0;
  const tagOf = (element: OutElement): number => (element.kind === 'copy' ? element.source.tag : element.tag);
  for (const element of out) {
    while (index < forced.length && forced[index]![0] < tagOf(element)) merged.push(forced[index++]![1]);
    merged.push(element);
  }
  while (index < forced.length) merged.push(forced[index++]![1]);
  return merged;
}
