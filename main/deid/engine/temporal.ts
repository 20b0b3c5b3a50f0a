/**
 * Dates, times and ages: shifted by the patient's offset under Modified Dates, removed when they
 * cannot be, and PatientAge under the project's age policy.
 */
import { tagKey } from '../dicom/dictionary.js';
import type { DicomElement } from '../dicom/walker.js';
import type { OutElement } from '../dicom/writer.js';
import { ageInYears, shiftTemporal, yearsBetween } from '../dates.js';
import { warn, type ObjectContext } from './context.js';
import { record, shown } from './trace.js';
import { ascii, textValue, trimValue } from './values.js';

/** A DA/DT shifted by the patient's offset (TM kept: whole-day offsets); null when removed. */
export function shiftDates(
  context: ObjectContext,
  element: DicomElement,
  vr: string,
  depth: number,
): OutElement | null {
  if (vr === 'TM') {
    // Whole-day offsets leave times of day as they are.
    context.counts.kept += 1;
    if (context.trace) record(context, element, vr, depth, 'C (time kept)', shown(context, element, vr));
    return { kind: 'copy', source: element };
  }
  const original = trimValue(ascii(context.source, element));
  const shifted =
    context.dateOffsetDays === null
      ? null
      : shiftTemporal(vr as 'DA' | 'DT', original, context.dateOffsetDays);
  if (shifted === null) {
    warn(context, {
      code: 'date-unshiftable',
      message: 'A date could not be shifted (malformed or partial) and was removed.',
      tag: tagKey(element.tag),
    });
    context.counts.removed += 1;
    record(context, element, vr, depth, 'C (removed)', '');
    return null;
  }
  context.counts.datesShifted += 1;
  record(context, element, vr, depth, 'C (shifted)', shifted);
  return { kind: 'value', tag: element.tag, vr: element.vr, value: textValue(vr, shifted) };
}

/** PatientAge under the project's policy: kept, capped at 090Y, or recomputed from the dates. */
export function patientAge(context: ObjectContext, element: DicomElement): OutElement {
  const policy = context.config.age ?? 'cap';
  if (policy === 'keep') return { kind: 'copy', source: element };
  const original = trimValue(ascii(context.source, element));
  const years =
    policy === 'recompute'
      ? (yearsBetween(context.birthDate, context.studyDate) ?? ageInYears(original))
      : ageInYears(original);
  if (years === null) return { kind: 'value', tag: element.tag, vr: element.vr, value: new Uint8Array(0) };
  // Ages over 89 are identifying on their own (HIPAA Safe Harbor): all of them become 90Y.
  const age = `${String(Math.min(years, 90)).padStart(3, '0')}Y`;
  if (age === original || (policy === 'cap' && years <= 89)) return { kind: 'copy', source: element };
  return { kind: 'value', tag: element.tag, vr: element.vr, value: textValue('AS', age) };
}
