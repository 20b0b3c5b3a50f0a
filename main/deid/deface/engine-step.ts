/**
 * The engine's defacing step (called by engine/rewrite.ts after the pixel cleaner decided): an
 * object of a face-bearing series is held unless the reader accepted a cut for its series; with
 * a cut, every pixel in front of it is set to air in the written copy (the stored original is
 * never touched) and the object's method codes carry 113102 (CID 7050: Clean Recognizable Visual Features; 113101
 * is Clean Pixel Data, which stays reserved for burned-in text).
 */
import type { DeidConfig } from '../config.js';
import { TransferSyntax, type DicomElement, type ParsedDicom } from '../dicom/walker.js';
import { Tag } from '../engine/tags.js';
import { readValue } from '../engine/values.js';
import type { PixelDecision } from '../pixels/types.js';
import { airStoredValue, maskFrameInFront, rescaleOf, sliceGeometryOf, storedFrameOf } from './geometry.js';
import { FACE_HOLD_REASON } from './types.js';

export const DEFACED_REASON = 'defaced: the face in front of the accepted cut was set to air';

export async function defaceStep(
  parsed: ParsedDicom,
  original: Map<number, DicomElement>,
  config: Pick<DeidConfig, 'deface'>,
  decision: PixelDecision | undefined,
): Promise<{ decision: PixelDecision | undefined; defaced: boolean }> {
  const plan = config.deface;
  const series = readValue(parsed, original, Tag.SeriesInstanceUID);
  if (!plan || !decision || !plan.faceSeries.includes(series)) return { decision, defaced: false };
  const hold = (reason: string): { decision: PixelDecision; defaced: false } => ({
    decision: {
      action: 'hold',
      reasons: [...(decision.action === 'hold' ? decision.reasons : []), reason],
      regions: decision.regions,
    },
    defaced: false,
  });
  const cut = plan.cuts[series];
  if (!cut) return hold(FACE_HOLD_REASON);
  if (decision.action === 'hold') return { decision, defaced: false };
  const geometry = sliceGeometryOf(parsed, original);
  if (!geometry) return hold(`${FACE_HOLD_REASON} (the image has no position)`);
  const frame = await storedFrameOf(
    parsed,
    original,
    decision.action === 'masked' ? decision.pixelData : undefined,
  );
  if ('reason' in frame) return hold(`${FACE_HOLD_REASON} (${frame.reason})`);
  const air = airStoredValue(
    readValue(parsed, original, Tag.Modality).toUpperCase(),
    rescaleOf(parsed, original),
    frame.layout,
  );
  maskFrameInFront(frame, geometry, cut, air);
  const decoded = frame.decoded || decision.transferSyntaxUID !== undefined;
  return {
    decision: {
      action: 'masked',
      reasons: [...decision.reasons, DEFACED_REASON],
      regions: decision.regions,
      pixelData: frame.bytes,
      ...(decoded ? { transferSyntaxUID: TransferSyntax.ExplicitLittle } : {}),
      ...(decision.photometricInterpretation
        ? { photometricInterpretation: decision.photometricInterpretation }
        : {}),
    },
    defaced: true,
  };
}
