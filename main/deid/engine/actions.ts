/**
 * One handler per action of the profile on a value (not a sequence): X removes, Z empties,
 * D writes a dummy, K keeps, U remaps, C cleans. Sequences are walked by walk.ts.
 */
import type { DicomElement } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';
import { cleanText } from './clean-text.js';
import type { ObjectContext } from './context.js';
import { codingVersions } from './decision.js';
import { Tag, charsetVrs, temporalVrs, textVrs } from './tags.js';
import { patientAge, shiftDates } from './temporal.js';
import { record, shown } from './trace.js';
import { uid } from './uids.js';
import { textValue, trimValue } from './values.js';

/** The dummy value D writes for a VR. */
export function dummyText(vr: string): string {
  switch (vr) {
    case 'AE':
    case 'PN':
      return 'ANONYMOUS';
    case 'AS':
      return '000Y';
    case 'CS':
      return 'ANONYMIZED';
    case 'DA':
      return '19000101';
    case 'DT':
      return '19000101000000';
    case 'TM':
      return '000000';
    case 'DS':
    case 'IS':
      return '0';
    case 'UR':
      return 'urn:anonymized';
    default:
      return 'ANONYMIZED';
  }
}

/** X: the attribute goes. */
export function removeValue(context: ObjectContext, element: DicomElement, vr: string, depth: number): null {
  context.counts.removed += 1;
  record(context, element, vr, depth, 'X', '');
  return null;
}

/** Z: present and empty (an empty sequence for a sequence). */
export function emptyValue(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
): OutElement {
  context.counts.emptied += 1;
  record(context, element, vr, depth, 'Z', '');
  if (element.items) return { kind: 'sequence', tag: element.tag, undefinedLength: false, items: [] };
  return { kind: 'value', tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
}

/** U on a value: UIDs remapped (kept under Retain UIDs), anything else kept. */
export function remapValue(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
): OutElement {
  if (vr === 'UI') {
    if (context.options.has('retainUIDs')) return keep(context, element, vr, depth, 'K');
    return uid(context, element, vr, depth, 'U');
  }
  return keep(context, element, vr, depth, 'U');
}

/** D on a value: UIDs remapped, dates shifted under Modified Dates, anything else a dummy. */
export function dummyValue(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
): OutElement | null {
  if (vr === 'UI') return uid(context, element, vr, depth, 'D');
  if (temporalVrs.has(vr) && context.options.has('retainLongitudinalModifiedDates'))
    return shiftDates(context, element, vr, depth);
  context.counts.dummied += 1;
  if (!textVrs.has(vr) && !temporalVrs.has(vr) && !['CS', 'DS', 'IS'].includes(vr)) {
    record(context, element, vr, depth, 'D', `<${element.valueLength} zero bytes>`);
    return {
      kind: 'value',
      tag: element.tag,
      vr: element.vr,
      value: new Uint8Array(element.valueLength),
    };
  }
  const dummy = dummyText(vr);
  record(context, element, vr, depth, 'D', dummy);
  return { kind: 'value', tag: element.tag, vr: element.vr, value: textValue(vr, dummy) };
}

/** C on a value: dates shifted, text cleaned, anything else kept. */
export function cleanValue(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
): OutElement | null {
  if (temporalVrs.has(vr)) return shiftDates(context, element, vr, depth);
  if (textVrs.has(vr) || vr === 'UN') return cleanText(context, element, vr, depth);
  return keep(context, element, vr, depth, 'C');
}

/**
 * K on a value: kept, except that PatientAge follows the age policy, UIDs are remapped unless
 * Retain UIDs, and dates follow the longitudinal option.
 */
export function keepValue(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
): OutElement | null {
  if (element.tag === Tag.PatientAge) {
    const out = patientAge(context, element);
    context.counts.kept += 1;
    record(
      context,
      element,
      vr,
      depth,
      'K (age policy)',
      out.kind === 'value'
        ? trimValue(Buffer.from(out.value).toString('latin1'))
        : shown(context, element, vr),
    );
    return out;
  }
  if (vr === 'UI' && !context.options.has('retainUIDs')) return uid(context, element, vr, depth, 'K');
  if (
    temporalVrs.has(vr) &&
    !context.options.has('retainLongitudinalFullDates') &&
    !codingVersions.has(element.tag)
  ) {
    return context.options.has('retainLongitudinalModifiedDates')
      ? shiftDates(context, element, vr, depth)
      : dropDate(context, element, vr, depth);
  }
  return keep(context, element, vr, depth, 'K');
}

/** Copies a value, labelled with the action that kept it; free text is still scanned. */
export function keep(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
  action: string,
): OutElement {
  // Free text the profile keeps is still checked for the header's own identifying values: a
  // kept institution address or device description must not carry the patient's name.
  if (charsetVrs.has(vr) && element.valueLength > 0) return cleanText(context, element, vr, depth, action);
  context.counts.kept += 1;
  if (context.trace) record(context, element, vr, depth, action, shown(context, element, vr));
  return { kind: 'copy', source: element };
}

function dropDate(context: ObjectContext, element: DicomElement, vr: string, depth: number): null {
  context.counts.removed += 1;
  record(context, element, vr, depth, 'X (date)', '');
  return null;
}
