/**
 * C on a free-text value (and every kept free-text value), through the free-text cleaner
 * (../clean/cleaner.ts): kept byte-exact when nothing is replaced; otherwise the cleaned text is
 * written in the dataset's own character set, or the value is emptied when that set cannot hold it.
 */
import { tagKey } from '../dicom/dictionary.js';
import type { DicomElement } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';
import { cleanTextValue, describeReplacements, looksLikeMislabelledGbk } from '../text.js';
import { warn, type ObjectContext } from './context.js';
import { charsetVrs } from './tags.js';
import { record, shown } from './trace.js';

/** C on a text value: kept byte-exact when the cleaner replaces nothing. */
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
    sets.length === 1 && // ISO 2022 code extensions declare their own multi-byte sets
    ['', 'ISO_IR 100', 'ISO_IR 6'].includes(sets[0] ?? '') &&
    !bytes.includes(0x1b) &&
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
  // Text the profile cleans (C) goes through the whole cleaner; text it keeps (K, U) only loses
  // identifying values (see clean/cleaner.ts, scope).
  const cleaned = cleanTextValue(bytes, vr, charsetVrs.has(vr) ? sets : [''], context.identifying, {
    unknownWords: context.config.unknownWords ?? 'placeholder',
    scope: label === 'C' ? 'free-text' : 'kept-value',
    keepInstitution: context.options.has('retainInstitutionIdentity'),
    remapUid: (uid) => {
      if (context.options.has('retainUIDs')) return uid;
      const pseudonym = context.pseudonyms.uid(uid);
      if (pseudonym !== uid) context.uidMappings.set(uid, pseudonym);
      return pseudonym;
    },
  });
  if (cleaned.status === 'kept') {
    context.counts.kept += 1;
    if (context.trace)
      record(context, element, vr, depth, label === 'C' ? 'C (kept)' : label, shown(context, element, vr));
    return { kind: 'copy', source: element };
  }
  context.counts.cleaned += 1;
  warn(context, {
    code: 'descriptor-cleaned',
    message:
      'Free text was cleaned: identifying values, and words outside the clinical vocabulary, were replaced.',
    tag: tagKey(element.tag),
  });
  // The trace names what was replaced (kinds and counts), never the replaced text.
  const what = describeReplacements(cleaned.replacements);
  if (cleaned.status === 'cleaned') {
    record(context, element, vr, depth, `${label} (cleaned: ${what})`, cleaned.text);
    return { kind: 'value', tag: element.tag, vr: element.vr, value: cleaned.bytes };
  }
  record(context, element, vr, depth, `${label} (emptied: ${what})`, '');
  return { kind: 'value', tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
}
