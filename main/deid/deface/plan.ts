/**
 * Before a run writes anything: which of its series show a face (detect.ts), and for each the
 * automatic surface (surface.ts). The engine is told the face-bearing series and the cuts the
 * reader accepted (DeidConfig.deface); a face-bearing series without an accepted cut is held.
 */
import { headerSuggestsFace } from './detect.js';
import { findFaceSurface, type FaceSurface } from './surface.js';
import type { DefaceCut, DefacePlan } from './types.js';
import { headerOfFile, loadHeadVolume, VolumeUnreadable } from './volume.js';

export interface FaceSeriesFinding {
  seriesInstanceUID: string;
  files: string[];
  /** The automatic surface, or why it could not be computed. */
  surface: FaceSurface | null;
  unreadable: string | null;
  /** Time spent reading the volume and finding the surface (ms). */
  surfaceMs: number;
}

/** The files of each series (original Series Instance UID), with header and slice spacing. */
export function seriesOfFiles(
  files: readonly string[],
): Map<string, { files: string[]; suggestsFace: boolean }> {
  const groups = new Map<string, { files: string[]; headers: ReturnType<typeof headerOfFile>[] }>();
  for (const file of files) {
    let header: ReturnType<typeof headerOfFile>;
    try {
      header = headerOfFile(file);
    } catch {
      continue; // not DICOM: the run reports it
    }
    if (!header.seriesInstanceUID) continue;
    const group = groups.get(header.seriesInstanceUID) ?? { files: [], headers: [] };
    group.files.push(file);
    group.headers.push(header);
    groups.set(header.seriesInstanceUID, group);
  }
  const result = new Map<string, { files: string[]; suggestsFace: boolean }>();
  for (const [uid, group] of groups) {
    const zs = group.headers
      .map((header) => header.geometry?.position[2])
      .filter((z): z is number => z !== undefined)
      .sort((a, b) => a - b);
    const gaps = zs
      .slice(1)
      .map((z, index) => z - zs[index]!)
      .filter((gap) => gap > 0)
      .sort((a, b) => a - b);
    const spacing = gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)]! : null;
    const suggestsFace = group.files.length >= 3 && headerSuggestsFace(group.headers[0]!, spacing);
    result.set(uid, { files: group.files, suggestsFace });
  }
  return result;
}

/** The face-bearing series among `files`, each with its automatic surface. */
export async function findFaceSeries(files: readonly string[]): Promise<FaceSeriesFinding[]> {
  const findings: FaceSeriesFinding[] = [];
  for (const [seriesInstanceUID, group] of seriesOfFiles(files)) {
    if (!group.suggestsFace) continue;
    const started = performance.now();
    let surface: FaceSurface | null = null;
    let unreadable: string | null = null;
    try {
      surface = findFaceSurface(await loadHeadVolume(group.files));
    } catch (error) {
      if (!(error instanceof VolumeUnreadable)) throw error;
      unreadable = error.message;
    }
    // A readable volume without a nose in front of the skull does not show the face.
    if (surface && !surface.landmarks) continue;
    findings.push({
      seriesInstanceUID,
      files: group.files,
      surface,
      unreadable,
      surfaceMs: performance.now() - started,
    });
  }
  return findings;
}

/**
 * The run's plan: the face-bearing series and, of them, the cuts to apply: the accepted ones, and
 * with `automatic` (the command line's --deface) the automatic surface of every other series that
 * has one. A series without a cut is held.
 */
export function planOfFindings(
  findings: readonly FaceSeriesFinding[],
  accepted: Readonly<Record<string, DefaceCut>>,
  options: { automatic?: boolean } = {},
): DefacePlan {
  const cuts: Record<string, DefaceCut> = {};
  for (const finding of findings) {
    const cut =
      accepted[finding.seriesInstanceUID] ?? (options.automatic ? finding.surface?.cut : undefined) ?? null;
    if (cut) cuts[finding.seriesInstanceUID] = cut;
  }
  return { faceSeries: findings.map((finding) => finding.seriesInstanceUID), cuts };
}

/** The run's plan: the face-bearing series and, of them, the accepted cuts. */
export async function planDeface(
  files: readonly string[],
  accepted: Readonly<Record<string, DefaceCut>>,
  options: { automatic?: boolean } = {},
): Promise<DefacePlan> {
  return planOfFindings(await findFaceSeries(files), accepted, options);
}
