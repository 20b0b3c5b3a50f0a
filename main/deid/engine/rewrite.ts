/**
 * One object through the engine: read the header's identity, let the pixel cleaner decide,
 * set what the engine writes itself (provenance, masked pixels), walk the dataset under the
 * profile, and frame the result as a Part 10 file. Never throws: failures are outcomes.
 */
import { AppError, ErrorCode, isAppError } from '../../../shared/errors.js';
import type { DeidOutcome, DeidReport, PreviewRow } from '../config.js';
import { ChunkWriter } from '../dicom/writer.js';
import { parseDicomFile, TransferSyntax, type Encoding, type ParsedDicom } from '../dicom/walker.js';
import { pixelReasonCode } from '../pixels/reason-codes.js';
import { firstFrameTextBoxes } from '../pixels/text-boxes.js';
import type { LinkageEntry } from '../linkage-types.js';
import type { Logger } from '../../core/logger.js';
import { createObjectContext } from './context.js';
import { part10Chunks } from './file-meta.js';
import { headerIdentity } from './identifying.js';
import { defaceStep } from '../deface/engine-step.js';
import { decidePixels, maskedPixelAttributes } from './pixel-context.js';
import { methodCodeList, provenanceAttributes } from './provenance.js';
import type { EngineSettings } from './settings.js';
import { Tag } from './tags.js';
import { readValue, topLevel } from './values.js';
import { processDataset } from './walk.js';

function failed(error: unknown, logger?: Logger): DeidOutcome {
  if (!isAppError(error) && !(error instanceof RangeError)) {
    // Only the stack's frames: a message may quote a value from the file.
    const frames = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 8).join('\n') : '';
    logger?.error(
      { event: 'deid.internal-error', error: error instanceof Error ? error.name : typeof error, frames },
      'de-identification failed (bug)',
    );
  }
  if (isAppError(error)) return { status: 'failed', error: { code: error.code, message: error.message } };
  if (error instanceof RangeError)
    return {
      status: 'failed',
      error: { code: ErrorCode.Malformed, message: 'The file has a value too long to rewrite.' },
    };
  return {
    status: 'failed',
    error: {
      code: ErrorCode.Internal,
      message: 'De-identification failed unexpectedly (a bug); the file was not written.',
    },
  };
}

/**
 * The output as the list of byte ranges it is made of: unchanged ranges are subarrays of the
 * input (pixel data included), so a writer can hand them to writev without assembling a copy.
 */
export type ChunkedOutcome =
  | { status: 'done'; chunks: Uint8Array[]; length: number; report: DeidReport }
  | Exclude<DeidOutcome, { status: 'done' }>;

export async function deidentifyObjectChunks(
  settings: EngineSettings,
  input: Uint8Array,
  options: { sourceName?: string; trace?: PreviewRow[] } = {},
): Promise<ChunkedOutcome> {
  try {
    const parsed = parseDicomFile(input);
    return await rewrite(settings, parsed, options);
  } catch (error) {
    return failed(error, settings.config.logger) as ChunkedOutcome;
  }
}

/** De-identifies one Part 10 object into one buffer. Never throws: failures are outcomes. */
export async function deidentifyObject(
  settings: EngineSettings,
  input: Uint8Array,
  options: { sourceName?: string; trace?: PreviewRow[] } = {},
): Promise<DeidOutcome> {
  const outcome = await deidentifyObjectChunks(settings, input, options);
  if (outcome.status !== 'done') return outcome;
  const output = Buffer.allocUnsafe(outcome.length);
  let offset = 0;
  for (const chunk of outcome.chunks) {
    output.set(chunk, offset);
    offset += chunk.length;
  }
  return {
    status: 'done',
    output: new Uint8Array(output.buffer, output.byteOffset, output.length),
    report: outcome.report,
  };
}

async function rewrite(
  settings: EngineSettings,
  parsed: ParsedDicom,
  options: { sourceName?: string; trace?: PreviewRow[] },
): Promise<ChunkedOutcome> {
  const { config, pseudonyms } = settings;
  const original = topLevel(parsed);
  const value = (tag: number): string => readValue(parsed, original, tag);
  const identity = headerIdentity(parsed, original, pseudonyms);
  const { patientKey, pseudonym, identifying } = identity;
  const context = createObjectContext(settings, parsed, original, identity, options.trace);
  const { dateOffsetDays } = context;

  // Pixels first: a held object is not rewritten at all.
  const pixelDecision = await decidePixels(parsed, original, settings, [
    ...identity.names,
    ...identity.ids,
    identity.birthDate,
    ...identifying.needles,
  ]);
  // Faces (Clean Recognizable Visual Features): held, or defaced with the accepted cut.
  const face = await defaceStep(parsed, original, config, pixelDecision);
  const decision = face.decision;

  const codes = methodCodeList(settings.options, pixelDecision?.action === 'masked', face.defaced);
  for (const [tag, element] of provenanceAttributes(config, settings.options, pseudonym, codes))
    context.forced.set(tag, element);
  const masked = maskedPixelAttributes(parsed, original, decision);
  for (const [tag, element] of masked.forced) context.forced.set(tag, element);
  for (const tag of masked.dropped) context.dropped.add(tag);
  const transferSyntaxUID = masked.transferSyntaxUID;
  if (transferSyntaxUID !== parsed.transferSyntaxUID && transferSyntaxUID !== TransferSyntax.ExplicitLittle) {
    throw new AppError(ErrorCode.Internal, 'The pixel cleaner returned an unsupported transfer syntax.');
  }

  const sopClassUID = value(Tag.SOPClassUID);
  const originalSop = value(Tag.SOPInstanceUID);
  const originalStudy = value(Tag.StudyInstanceUID);
  const retainUids = settings.options.has('retainUIDs');
  const mapUid = (uid: string): string => (retainUids ? uid : pseudonyms.uid(uid));

  const reportBase = {
    ...(options.sourceName !== undefined ? { sourceName: options.sourceName } : {}),
    sopClassUID,
    sopInstanceUID: mapUid(originalSop),
    seriesInstanceUID: mapUid(value(Tag.SeriesInstanceUID)),
    studyInstanceUID: mapUid(originalStudy),
    patientPseudonym: pseudonym,
    transferSyntaxUID,
    methodCodes: codes.map((code) => code.codeValue),
  };
  const pixels: DeidReport['pixels'] = decision
    ? {
        action: decision.action,
        reasons: decision.reasons,
        reasonCodes: decision.reasons.map(pixelReasonCode),
        regions: decision.regions.length,
        ...(decision.action === 'hold' && decision.regions.some((region) => region.source === 'ocr')
          ? { textBoxes: firstFrameTextBoxes(decision.regions) }
          : {}),
      }
    : { action: 'none', reasons: [], reasonCodes: [], regions: 0 };
  // Each project has its own pseudonyms: the linkage table keys an original within its project.
  const project = settings.config.projectId;
  const linkage = (): LinkageEntry[] => [
    { kind: 'patient', original: patientKey, pseudonym, dateOffsetDays, project },
    ...[...context.uidMappings].map(([from, to]): LinkageEntry => ({
      kind: 'uid',
      original: from,
      pseudonym: to,
      project,
    })),
  ];

  if (decision?.action === 'hold') {
    return {
      status: 'held',
      reason: decision.reasons,
      report: {
        ...reportBase,
        actions: context.counts,
        warnings: context.warnings,
        pixels,
        local: { studyInstanceUID: originalStudy, sopInstanceUID: originalSop, linkage: [] },
      },
    };
  }

  // Pixel data is inserted by `forced` when masked; an unmasked element is copied by the walk.
  const dataset = processDataset(context, parsed.dataset, 0).elements;
  const datasetEncoding: Encoding =
    transferSyntaxUID !== parsed.transferSyntaxUID
      ? { explicitVr: true, littleEndian: true }
      : parsed.encoding;
  if (transferSyntaxUID !== parsed.transferSyntaxUID && !parsed.encoding.explicitVr) {
    throw new AppError(ErrorCode.Internal, 'Masked pixels changed the syntax of an implicit-VR object.');
  }
  const body = new ChunkWriter(parsed.bytes, datasetEncoding);
  body.elements(dataset);
  const { chunks, length } = part10Chunks(
    parsed.bytes,
    { sopClassUID, sopInstanceUID: reportBase.sopInstanceUID, transferSyntaxUID },
    body,
  );
  const linkageEntries = linkage();
  config.linkage?.record(linkageEntries);
  return {
    status: 'done',
    chunks,
    length,
    report: {
      ...reportBase,
      actions: context.counts,
      warnings: context.warnings,
      pixels,
      local: { studyInstanceUID: originalStudy, sopInstanceUID: originalSop, linkage: linkageEntries },
    },
  };
}
