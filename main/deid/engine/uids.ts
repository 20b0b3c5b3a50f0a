/**
 * UIDs under the profile's action: each remapped to its 2.25 pseudonym (the same on every
 * object, so references stay consistent), well-known UIDs of the standard unchanged.
 */
import type { DicomElement } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';
import type { ObjectContext } from './context.js';
import { record, shown } from './trace.js';
import { ascii, textValue, trimValue } from './values.js';

export function remapUids(context: ObjectContext, element: DicomElement): OutElement {
  const original = ascii(context.source, element);
  const mapped = original
    .split('\\')
    .map((part) => {
      const uid = trimValue(part);
      const pseudonym = context.pseudonyms.uid(uid);
      if (pseudonym !== uid) context.uidMappings.set(uid, pseudonym);
      return pseudonym;
    })
    .join('\\');
  if (mapped === trimValue(original)) return { kind: 'copy', source: element };
  context.counts.uidsRemapped += 1;
  return { kind: 'value', tag: element.tag, vr: element.vr, value: textValue('UI', mapped) };
}

/**
 * A UID under the profile's action: remapped to its 2.25 pseudonym, or written unchanged when it
 * is a well-known UID of the standard (a SOP class, a transfer syntax, a coding scheme), which
 * identifies nobody. The trace says which, so the preview never shows a kept UID as blank.
 */
export function uid(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
  action: string,
): OutElement {
  const out = remapUids(context, element);
  if (!context.trace) return out;
  if (out.kind === 'value') {
    record(context, element, vr, depth, action, trimValue(Buffer.from(out.value).toString('latin1')));
  } else {
    const written = shown(context, element, vr);
    record(context, element, vr, depth, written === '' ? action : 'K (standard UID)', written);
  }
  return out;
}
