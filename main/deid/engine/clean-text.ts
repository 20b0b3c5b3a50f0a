/**
 * C on a free-text value (and every kept free-text value): kept byte-exact when it holds none of
 * the object's identifying values; otherwise the matches are redacted (pure ASCII) or the value
 * is emptied (never transcoded).
 */
import { tagKey } from '../dicom/dictionary.js';
import type { DicomElement } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';
import { decodeText, findIdentifying, looksLikeMislabelledGbk } from '../text.js';
import { warn, type ObjectContext } from './context.js';
import { charsetVrs } from './tags.js';
import { record, shown } from './trace.js';
import { textValue, trimValue } from './values.js';

/** C on a text value: kept byte-exact when it holds none of the header's identifying values. */
export function cleanText(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
  label = 'C',
): OutElement {
  const bytes = context.source.subarray(element.valueStart, element.valueStart + element.valueLength);
  let sets = context.characterSets;
  if (
    charsetVrs.has(vr) &&
    bytes.some((byte) => byte >= 0x80) &&
    ['', 'ISO_IR 100', 'ISO_IR 6'].includes(sets[0] ?? '') &&
    looksLikeMislabelledGbk(bytes)
  ) {
    warn(context, {
      code: 'charset-mislabelled-gbk',
      message:
        'Text declared as Latin-1 looks like Chinese (GBK); it was read as GBK to check it for identifying values.',
      tag: tagKey(element.tag),
    });
    sets = ['GBK'];
  }
  const text = charsetVrs.has(vr)
    ? decodeText(bytes, sets)
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const found = findIdentifying(text, context.identifying);
  if (found.length === 0) {
    context.counts.kept += 1;
    if (context.trace)
      record(context, element, vr, depth, label === 'C' ? 'C (kept)' : label, shown(context, element, vr));
    return { kind: 'copy', source: element };
  }
  context.counts.cleaned += 1;
  warn(context, {
    code: 'descriptor-cleaned',
    message: 'A descriptor contained identifying values from the header and was cleaned.',
    tag: tagKey(element.tag),
  });
  // Pure ASCII: redact just the matches. Anything else: the value goes (we never transcode).
  if (!bytes.some((byte) => byte >= 0x80 || byte === 0x1b)) {
    let redacted = Buffer.from(bytes).toString('latin1');
    for (const needle of found) {
      const pattern = new RegExp(
        needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s^_]*'),
        'gi',
      );
      redacted = redacted.replace(pattern, '***');
    }
    if (findIdentifying(redacted, context.identifying).length === 0) {
      record(context, element, vr, depth, `${label} (redacted)`, trimValue(redacted));
      return { kind: 'value', tag: element.tag, vr: element.vr, value: textValue(vr, trimValue(redacted)) };
    }
  }
  record(context, element, vr, depth, `${label} (emptied)`, '');
  return { kind: 'value', tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
}
