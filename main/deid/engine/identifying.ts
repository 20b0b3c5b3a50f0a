/**
 * Who the object is about, read from its header: the patient key and pseudonym, and every
 * identifying value (names, ids, dates, address, institution) that kept text and pixels are
 * checked for.
 */
import type { DicomElement, ParsedDicom } from '../dicom/walker.js';
import { Pseudonymizer } from '../pseudonyms.js';
import { decodeText, identifyingValues, looksLikeMislabelledGbk, type IdentifyingValues } from '../text.js';
import { personNamesIn } from '../clean/person-names.js';
import { Tag } from './tags.js';
import { readValue, trimValue } from './values.js';

export interface HeaderIdentity {
  characterSets: string[];
  /** issuer\id (or the name without an id): what the pseudonym and date offset derive from. */
  patientKey: string;
  pseudonym: string;
  /** Person names of the header, one per repetition; the GBK reading of a mislabelled name too. */
  names: string[];
  /** Patient ID, other patient ids, accession number. */
  ids: string[];
  birthDate: string;
  studyDate: string;
  identifying: IdentifyingValues;
}

/** The object's character sets (SpecificCharacterSet values, in order). */
export function characterSetsOf(parsed: ParsedDicom, original: Map<number, DicomElement>): string[] {
  return readValue(parsed, original, Tag.SpecificCharacterSet)
    .split('\\')
    .map((term) => term.trim());
}

export function headerIdentity(
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
  pseudonyms: Pseudonymizer,
): HeaderIdentity {
  const value = (tag: number): string => readValue(parsed, original, tag);
  const characterSets = characterSetsOf(parsed, original);
  const textOf = (tag: number): string => {
    const element = original.get(tag);
    if (!element || element.items) return '';
    return trimValue(
      decodeText(
        parsed.bytes.subarray(element.valueStart, element.valueStart + element.valueLength),
        characterSets,
        tag === Tag.PatientName ? 'pn' : 'text',
      ),
    );
  };
  const patientId = textOf(Tag.PatientID);
  const patientName = textOf(Tag.PatientName);
  const patientKey = Pseudonymizer.patientKey(patientId, textOf(Tag.IssuerOfPatientID), patientName);
  const pseudonym = pseudonyms.patientPseudonym(patientKey);
  const names = [
    patientName,
    textOf(Tag.OtherPatientNames),
    textOf(Tag.PatientBirthName),
    textOf(Tag.PatientMotherBirthName),
    textOf(Tag.ReferringPhysicianName),
  ]
    .flatMap((name) => name.split('\\'))
    .filter(Boolean);
  // Every other person name in the object, at any depth (operators, physicians in sequences…).
  for (const name of personNamesIn(parsed, characterSets)) if (!names.includes(name)) names.push(name);
  // Mislabelled GBK names: add the GBK reading too, so Hanzi in descriptors are found.
  const nameElement = original.get(Tag.PatientName);
  if (nameElement && !nameElement.items) {
    const bytes = parsed.bytes.subarray(
      nameElement.valueStart,
      nameElement.valueStart + nameElement.valueLength,
    );
    if (
      looksLikeMislabelledGbk(bytes) &&
      !['GB18030', 'GBK', 'ISO 2022 IR 58'].includes(characterSets.at(-1) ?? '')
    )
      names.push(trimValue(decodeText(bytes, ['GBK'])));
  }
  const ids = [patientId, ...textOf(Tag.OtherPatientIDs).split('\\'), textOf(Tag.AccessionNumber)].filter(
    Boolean,
  );
  const birthDate = value(Tag.PatientBirthDate);
  const studyDate = value(Tag.StudyDate);
  const identifying = identifyingValues({
    names,
    ids,
    // The study's own dates too: written in a descriptor they would escape the date shift.
    dates: [
      birthDate,
      studyDate,
      value(Tag.SeriesDate),
      value(Tag.AcquisitionDate),
      value(Tag.ContentDate),
    ].filter(Boolean),
    other: [textOf(Tag.PatientAddress), textOf(Tag.PatientTelephoneNumbers)].filter(Boolean),
    institutions: [textOf(Tag.InstitutionName)].filter(Boolean),
  });
  return { characterSets, patientKey, pseudonym, names, ids, birthDate, studyDate, identifying };
}
