/**
 * The de-identification options of PS3.15 Annex E (Table E.1-1 columns) and their CID 7050
 * "De-identification Method" codes, recorded in DeidentificationMethodCodeSequence.
 */

// The option names are part of the contract (the renderer offers them): one list, in shared/.
import { type DeidOptionName, deidOptionNames } from '../../../shared/contract.js';

export { deidOptionNames };
export type { DeidOptionName };

export function isDeidOptionName(value: string): value is DeidOptionName {
  return (deidOptionNames as readonly string[]).includes(value);
}

export interface MethodCode {
  codeValue: string;
  codingSchemeDesignator: 'DCM';
  codeMeaning: string;
}

function dcm(codeValue: string, codeMeaning: string): MethodCode {
  return { codeValue, codingSchemeDesignator: 'DCM', codeMeaning };
}

/** CID 7050, PS3.16. */
export const basicProfileCode = dcm('113100', 'Basic Application Confidentiality Profile');

export const optionCodes: Record<DeidOptionName, MethodCode> = {
  cleanPixelData: dcm('113101', 'Clean Pixel Data Option'),
  cleanRecognizableVisualFeatures: dcm('113102', 'Clean Recognizable Visual Features Option'),
  cleanGraphics: dcm('113103', 'Clean Graphics Option'),
  cleanStructuredContent: dcm('113104', 'Clean Structured Content Option'),
  cleanDescriptors: dcm('113105', 'Clean Descriptors Option'),
  retainLongitudinalFullDates: dcm('113106', 'Retain Longitudinal Temporal Information Full Dates Option'),
  retainLongitudinalModifiedDates: dcm(
    '113107',
    'Retain Longitudinal Temporal Information Modified Dates Option',
  ),
  retainPatientCharacteristics: dcm('113108', 'Retain Patient Characteristics Option'),
  retainDeviceIdentity: dcm('113109', 'Retain Device Identity Option'),
  retainUIDs: dcm('113110', 'Retain UIDs Option'),
  retainSafePrivate: dcm('113111', 'Retain Safe Private Option'),
  retainInstitutionIdentity: dcm('113112', 'Retain Institution Identity Option'),
};

/**
 * The order in which option columns override the basic profile. Retain options come first so a
 * clean option on the same attribute (Clean Descriptors on a device description) wins: cleaning
 * keeps the value only when it is free of identifying text.
 */
export const optionPrecedence: DeidOptionName[] = [
  'retainSafePrivate',
  'retainUIDs',
  'retainDeviceIdentity',
  'retainInstitutionIdentity',
  'retainPatientCharacteristics',
  'retainLongitudinalFullDates',
  'retainLongitudinalModifiedDates',
  'cleanDescriptors',
  'cleanStructuredContent',
  'cleanGraphics',
];

/** The research-upload default (one list, in shared/, with the rule on exclusive options). */
export { researchDefaultOptions } from '../../../shared/deid-options.js';
