/**
 * Every person name an object holds (PN at any depth, repetitions split), for the cleaner's
 * identifying values: a descriptor may quote the operator or a physician from a nested
 * sequence as easily as the patient.
 */
import { decodeText } from '../../dicom/charset.js';
import { dictionaryVr } from '../dicom/dictionary.js';
import type { DicomElement, ParsedDicom } from '../dicom/walker.js';

/** At most this many distinct names are collected (a pathological object cannot slow cleaning down). */
const MAX_NAMES = 256;

export function personNamesIn(parsed: ParsedDicom, characterSets: readonly string[]): string[] {
  const names = new Set<string>();
  const walk = (elements: readonly DicomElement[]): void => {
    for (const element of elements) {
      if (names.size >= MAX_NAMES) return;
      if (element.items) {
        for (const item of element.items) walk(item.elements);
        continue;
      }
      const vr = element.vr === 'UN' ? dictionaryVr(element.tag) : element.vr;
      if (vr !== 'PN' || element.valueLength === 0) continue;
      const text = decodeText(
        parsed.bytes.subarray(element.valueStart, element.valueStart + element.valueLength),
        characterSets,
        'pn',
      );
      for (const name of text.split('\\')) {
        const trimmed = name.trim();
        if (trimmed.replace(/[\^=\s]/g, '').length > 0) names.add(trimmed);
      }
    }
  };
  walk(parsed.dataset);
  return [...names];
}
