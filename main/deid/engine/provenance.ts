/**
 * What the engine writes into every output to say what was done (PS3.15 E.1.1, PS3.3 C.7.1.3):
 * the pseudonym as patient name/id and clinical-trial subject, PatientIdentityRemoved,
 * DeidentificationMethod and its code sequence (CID 7050), the Clinical Trial Subject module,
 * and LongitudinalTemporalInformationModified.
 */
import type { DeidConfig } from '../config.js';
import type { OutElement, OutItem } from '../dicom/writer.js';
import { basicProfileCode, optionCodes, type DeidOptionName } from '../profile/options.js';
import { Tag } from './tags.js';
import { lo, textValue } from './values.js';

export const IMPLEMENTATION_CLASS_UID = '2.25.255483329862397372096470427236315185187';
export const IMPLEMENTATION_VERSION_NAME = 'RADLABEL_0_1';

export interface MethodCode {
  codeValue: string;
  codingSchemeDesignator: string;
  codeMeaning: string;
}

/**
 * 113100 and the options applied, in code order; Clean Pixel Data only when burned-in text was
 * masked, Clean Recognizable Visual Features only when the object was defaced.
 */
export function methodCodeList(
  options: ReadonlySet<DeidOptionName>,
  pixelsMasked: boolean,
  defaced = false,
): MethodCode[] {
  const codes = [basicProfileCode];
  for (const option of Object.keys(optionCodes) as DeidOptionName[]) {
    if (option === 'cleanPixelData') continue;
    if (option === 'cleanRecognizableVisualFeatures') continue;
    if (options.has(option)) codes.push(optionCodes[option]);
  }
  if (pixelsMasked) codes.push(optionCodes.cleanPixelData);
  if (defaced) codes.push(optionCodes.cleanRecognizableVisualFeatures);
  return codes.sort((a, b) => a.codeValue.localeCompare(b.codeValue));
}

export function codeItem(code: MethodCode): OutItem {
  return {
    kind: 'item',
    undefinedLength: false,
    elements: [
      { kind: 'value', tag: Tag.CodeValue, vr: 'SH', value: textValue('SH', code.codeValue) },
      {
        kind: 'value',
        tag: Tag.CodingSchemeDesignator,
        vr: 'SH',
        value: textValue('SH', code.codingSchemeDesignator),
      },
      {
        kind: 'value',
        tag: Tag.CodeMeaning,
        vr: 'LO',
        value: textValue('LO', code.codeMeaning.slice(0, 64)),
      },
    ],
  };
}

/** How LongitudinalTemporalInformationModified describes the chosen date option. */
export function temporalState(options: ReadonlySet<DeidOptionName>): 'UNMODIFIED' | 'MODIFIED' | 'REMOVED' {
  if (options.has('retainLongitudinalFullDates')) return 'UNMODIFIED';
  return options.has('retainLongitudinalModifiedDates') ? 'MODIFIED' : 'REMOVED';
}

/**
 * The Type 1 attributes of the Clinical Trial Subject module (PS3.3 C.7.1.3), never empty: the
 * project's sponsor and protocol, or, where the project gives none, defaults derived from its
 * project ID ("RadLabel research project <projectId>", protocol ID = project ID). The Type 2 ones
 * (protocol name, site ID and name) may stay empty.
 */
export function clinicalTrialType1(config: Pick<DeidConfig, 'clinicalTrial' | 'projectId'>): {
  sponsorName: string;
  protocolId: string;
} {
  const projectId = config.projectId.trim() || 'RADLABEL';
  return {
    sponsorName: config.clinicalTrial.sponsorName.trim() || `RadLabel research project ${projectId}`,
    protocolId: config.clinicalTrial.protocolId.trim() || projectId,
  };
}

/**
 * The provenance attributes of one output, by tag (the walk writes them in place of any original
 * value). `codes` is methodCodeList's answer for this object.
 */
export function provenanceAttributes(
  config: DeidConfig,
  options: ReadonlySet<DeidOptionName>,
  pseudonym: string,
  codes: MethodCode[],
): Map<number, OutElement> {
  const forced = new Map<number, OutElement>();
  forced.set(Tag.PatientName, {
    kind: 'value',
    tag: Tag.PatientName,
    vr: 'PN',
    value: textValue('PN', pseudonym),
  });
  forced.set(Tag.PatientID, lo(Tag.PatientID, pseudonym));
  forced.set(Tag.PatientIdentityRemoved, {
    kind: 'value',
    tag: Tag.PatientIdentityRemoved,
    vr: 'CS',
    value: textValue('CS', 'YES'),
  });
  forced.set(
    Tag.DeidentificationMethod,
    lo(Tag.DeidentificationMethod, `RadLabel ${IMPLEMENTATION_VERSION_NAME} PS3.15 E.1-1`),
  );
  forced.set(Tag.DeidentificationMethodCodeSequence, {
    kind: 'sequence',
    tag: Tag.DeidentificationMethodCodeSequence,
    undefinedLength: false,
    items: codes.map(codeItem),
  });
  const trial = clinicalTrialType1(config);
  forced.set(Tag.ClinicalTrialSponsorName, lo(Tag.ClinicalTrialSponsorName, trial.sponsorName));
  forced.set(Tag.ClinicalTrialProtocolID, lo(Tag.ClinicalTrialProtocolID, trial.protocolId));
  forced.set(
    Tag.ClinicalTrialProtocolName,
    lo(Tag.ClinicalTrialProtocolName, config.clinicalTrial.protocolName ?? ''),
  );
  forced.set(Tag.ClinicalTrialSiteID, lo(Tag.ClinicalTrialSiteID, config.clinicalTrial.siteId ?? ''));
  forced.set(Tag.ClinicalTrialSiteName, lo(Tag.ClinicalTrialSiteName, config.clinicalTrial.siteName ?? ''));
  forced.set(Tag.ClinicalTrialSubjectID, lo(Tag.ClinicalTrialSubjectID, pseudonym));
  forced.set(Tag.LongitudinalTemporalInformationModified, {
    kind: 'value',
    tag: Tag.LongitudinalTemporalInformationModified,
    vr: 'CS',
    value: textValue('CS', temporalState(options)),
  });
  return forced;
}
