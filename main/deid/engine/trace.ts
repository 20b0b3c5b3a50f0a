/**
 * The preview's trace: every attribute before and after, with the action that decided it.
 * Written only when the caller asked for a trace; values are shown decoded and shortened.
 */
import type { DicomElement } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';
import { keywordOf, tagKey } from '../dicom/dictionary.js';
import { decodeText, textKindFor } from '../text.js';
import type { ObjectContext } from './context.js';
import { Tag, charsetVrs, shownAsTextVrs, temporalVrs, textVrs } from './tags.js';
import { ascii, trimValue } from './values.js';

export function describe(
  bytes: Uint8Array,
  element: DicomElement,
  vr: string,
  characterSets: string[],
): string {
  if (element.items) return `${element.items.length} item(s)`;
  if (textVrs.has(vr) || temporalVrs.has(vr) || shownAsTextVrs.has(vr)) {
    const value = bytes.subarray(element.valueStart, element.valueStart + element.valueLength);
    const text = charsetVrs.has(vr)
      ? decodeText(value, characterSets, textKindFor(vr))
      : ascii(bytes, element);
    const trimmed = trimValue(text);
    return trimmed.length > 80 ? `${trimmed.slice(0, 77)}…` : trimmed;
  }
  return `<${element.valueLength} bytes>`;
}

/** One row for an attribute of the input. */
export function record(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
  action: string,
  after: string,
): void {
  if (!context.trace) return;
  context.trace.push({
    tag: tagKey(element.tag),
    keyword: keywordOf(element.tag),
    vr,
    depth,
    before: describe(context.source, element, vr, context.characterSets),
    after,
    action,
  });
}

/** The input value as the trace shows it. */
export function shown(context: ObjectContext, element: DicomElement, vr: string): string {
  return describe(context.source, element, vr, context.characterSets);
}

/** The text of a value the engine wrote: always ASCII (see values.ts), or a byte count. */
export function writtenText(vr: string, value: Uint8Array): string {
  if (!textVrs.has(vr) && !temporalVrs.has(vr) && !shownAsTextVrs.has(vr)) return `<${value.length} bytes>`;
  return trimValue(Buffer.from(value).toString('latin1'));
}

/**
 * The trace of an attribute the engine writes itself (the pseudonym, the provenance attributes,
 * masked pixels): "D (set)" over an original value, "D (added)" where there was none.
 */
export function recordWritten(context: ObjectContext, written: OutElement): void {
  if (!context.trace || written.kind === 'copy') return;
  const original = context.original.get(written.tag);
  const vr = written.kind === 'sequence' ? 'SQ' : written.vr;
  const before = original
    ? describe(context.source, original, original.items ? 'SQ' : vr, context.characterSets)
    : '';
  const action = written.tag === Tag.PixelData ? 'C (pixels masked)' : original ? 'D (set)' : 'D (added)';
  const row = (
    tag: number,
    rowVr: string,
    depth: number,
    rowBefore: string,
    after: string,
    rowAction: string,
  ) =>
    context.trace?.push({
      tag: tagKey(tag),
      keyword: keywordOf(tag),
      vr: rowVr,
      depth,
      before: rowBefore,
      after,
      action: rowAction,
    });
  if (written.kind === 'value') {
    row(written.tag, vr, 0, before, writtenText(vr, written.value), action);
    return;
  }
  row(written.tag, vr, 0, before, `${written.items.length} item(s)`, action);
  for (const item of written.items) {
    if (item.kind !== 'item') continue;
    for (const element of item.elements)
      if (element.kind === 'value')
        row(element.tag, element.vr, 1, '', writtenText(element.vr, element.value), 'D (added)');
  }
}
