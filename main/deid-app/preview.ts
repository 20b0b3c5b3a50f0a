/**
 * The attribute preview shown next to an image. The engine's trace (createDeidHandlers) lists every
 * attribute it walked through; the attributes it sets outright (PatientName and PatientID become
 * the pseudonym, PatientIdentityRemoved, the de-identification method, the clinical-trial
 * attributes) are not walked, so they are read here from the de-identified output itself and
 * added to the rows: the preview then shows what actually leaves the machine.
 */
import dicomParser from 'dicom-parser';
import type { DeidPreviewRow } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { decodeText, parseSpecificCharacterSet } from '../dicom/charset.js';
import { type DeidConfig, createDeidentifier } from '../deid/index.js';
import { keywordOf, tagKey } from '../deid/dicom/dictionary.js';
import type { PixelCleaner } from '../deid/pixels/types.js';

/** Pixels are examined at export, never in a preview (it must not wait on OCR). */
const attributesOnly: PixelCleaner = {
  clean: async () => ({ action: 'keep', reasons: ['preview: pixels not examined'], regions: [] }),
};

const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

interface ParsedElement {
  vr: string | undefined;
  text: string;
}

function topLevel(bytes: Uint8Array): Map<string, ParsedElement> {
  const dataSet = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
  const terms = parseSpecificCharacterSet(dataSet.string('x00080005'));
  const elements = new Map<string, ParsedElement>();
  for (const [key, element] of Object.entries(dataSet.elements)) {
    const tag = Number.parseInt(key.slice(1), 16);
    if (tag >>> 16 === 0x0002 || tag === 0x7fe00010) continue;
    const vr = element.vr;
    let text = '';
    if (element.items) text = `${element.items.length} item(s)`;
    else if (vr && TEXT_VRS.has(vr))
      text = decodeText(bytes.subarray(element.dataOffset, element.dataOffset + element.length), terms, vr === 'PN' ? 'pn' : 'text').trim();
    elements.set(tagKey(tag), { vr, text });
  }
  return elements;
}

/** Adds the attributes the engine set outright to its traced rows. */
export async function completePreview(
  traced: DeidPreviewRow[],
  bytes: Uint8Array,
  config: DeidConfig,
): Promise<DeidPreviewRow[]> {
  const deidentifier = createDeidentifier({ ...config, pixelCleaner: attributesOnly, linkage: undefined });
  const outcome = await deidentifier.deidentify(bytes);
  await deidentifier.close();
  if (outcome.status === 'failed') throw new AppError(outcome.error.code, outcome.error.message);
  if (outcome.status !== 'done') return traced;
  let before: Map<string, ParsedElement>;
  let after: Map<string, ParsedElement>;
  try {
    before = topLevel(bytes);
    after = topLevel(outcome.output);
  } catch (error) {
    throw new AppError(ErrorCode.Malformed, 'This image cannot be previewed: its header could not be read.', {
      cause: error,
    });
  }
  const tracedTopLevel = new Set(traced.filter((row) => row.depth === 0).map((row) => row.tag));
  // A traced value the engine left blank although the output carries one (the SOP Class UID, which
  // is never remapped) is shown as written.
  const corrected = traced.map((row) => {
    const written = row.depth === 0 && row.vr !== 'SQ' && row.after === '' ? after.get(row.tag) : undefined;
    return written?.text ? { ...row, after: written.text } : row;
  });
  const added: DeidPreviewRow[] = [];
  for (const [tag, written] of after) {
    if (tracedTopLevel.has(tag)) continue;
    const original = before.get(tag);
    added.push({
      tag,
      keyword: keywordOf(Number.parseInt(tag.replace(/[(),]/g, ''), 16)),
      vr: written.vr ?? original?.vr ?? '',
      depth: 0,
      before: original?.text ?? '',
      after: written.text,
      action: original ? 'D (set)' : 'D (added)',
    });
  }
  // Top-level order by tag, each traced sequence keeping its nested rows right after it.
  const rows = [...corrected];
  for (const row of added) {
    const index = rows.findIndex((candidate) => candidate.depth === 0 && candidate.tag > row.tag);
    if (index === -1) rows.push(row);
    else rows.splice(index, 0, row);
  }
  return rows;
}
