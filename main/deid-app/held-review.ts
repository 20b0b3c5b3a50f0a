/**
 * The review of objects an export held for burned-in text. The export's report says which
 * objects were held and why; this module keeps, per study, the original instance behind each of
 * them (the review screen renders it from the catalog), the export folder, and what the reader
 * decided:
 *
 *   release  the regions the reader drew become a pixel rule for the device (manufacturer, model,
 *            modality) and image size, saved with the settings, so the next series from that
 *            scanner is masked instead of held; the object is then de-identified again with the
 *            new rule and written into the export folder, and the report counts it as written.
 *   exclude  the object stays out of the export for good; the report lists it as excluded.
 *
 * Nothing here logs UIDs, text read by OCR or local paths.
 */
import fs from 'node:fs';
import dicomParser from 'dicom-parser';
import type { DeidHeldObject, DeidPixelRect, DeidPixelRule, DeidSettings } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import type { DeidConfig, DeidReport } from '../deid/index.js';
import { ruleMatches } from '../deid/pixels/rules.js';
import { deidentifyTree, StudyReports } from '../deid/service.js';
import type { HeldObserver, LatestStudyReports } from './export-jobs.js';

interface HeldEntry {
  sopInstanceUID: string;
  pseudonymousSopInstanceUID: string;
  reasons: string[];
  reasonCodes: string[];
  status: DeidHeldObject['status'];
  /** The answer of the release, repeated to a release asked again (a retry after a lost answer). */
  released?: ReleaseResult;
}

export interface ReleaseResult {
  status: 'released' | 'held';
  ruleName: string;
  reasons: string[];
  reasonCodes: string[];
}

interface StudyHeld {
  outputDir: string | null;
  entries: Map<string, HeldEntry>;
}

/** What the review needs of an image's header: the device and the image size. */
export interface DeviceHeader {
  modality: string;
  manufacturer: string;
  manufacturerModelName: string;
  rows: number;
  columns: number;
}

export interface HeldReviewDependencies {
  reports: LatestStudyReports;
  logger: Logger;
  instancePath(sopInstanceUID: string): string | null;
  settings(): DeidSettings;
  saveSettings(settings: DeidSettings): unknown;
  /** The engine configuration for writing (secret, linkage, logger), from the given settings. */
  exportConfig(settings: DeidSettings): DeidConfig;
}

/** Reads the device and image size of a stored file (header only, pixel data not read). */
export function readDeviceHeader(file: string): DeviceHeader {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new AppError(ErrorCode.Io, 'The stored image file cannot be read.', { cause: error });
  }
  let dataSet: dicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
  } catch (error) {
    throw new AppError(ErrorCode.Malformed, 'The stored image file cannot be read as DICOM.', {
      cause: error,
    });
  }
  const text = (tag: string): string => (dataSet.string(tag) ?? '').trim();
  return {
    modality: text('x00080060'),
    manufacturer: text('x00080070'),
    manufacturerModelName: text('x00081090'),
    rows: dataSet.uint16('x00280010') ?? 0,
    columns: dataSet.uint16('x00280011') ?? 0,
  };
}

/** The rule the review saves: the device and image size of the object, the reader's regions. */
export function reviewRule(header: DeviceHeader, regions: readonly DeidPixelRect[]): DeidPixelRule {
  const device =
    [header.manufacturer, header.manufacturerModelName].filter(Boolean).join(' ') || 'unknown device';
  const match: DeidPixelRule['match'] = { rows: header.rows, columns: header.columns };
  if (header.modality) match.modality = header.modality.slice(0, 64);
  if (header.manufacturer) match.manufacturer = header.manufacturer.slice(0, 64);
  if (header.manufacturerModelName) match.manufacturerModelName = header.manufacturerModelName.slice(0, 64);
  return {
    name: `review: ${header.modality || 'image'} ${device} ${header.columns}×${header.rows}`.slice(0, 100),
    match,
    regions: clipRegions(regions, header),
  };
}

/** Regions inside the image; none left → refused. */
function clipRegions(regions: readonly DeidPixelRect[], header: DeviceHeader): DeidPixelRect[] {
  const clipped: DeidPixelRect[] = [];
  for (const region of regions) {
    const x = Math.min(region.x, header.columns);
    const y = Math.min(region.y, header.rows);
    const width = Math.min(region.x + region.width, header.columns) - x;
    const height = Math.min(region.y + region.height, header.rows) - y;
    if (width >= 1 && height >= 1) clipped.push({ x, y, width, height });
  }
  if (clipped.length === 0)
    throw new AppError(
      ErrorCode.InvalidRequest,
      'Draw at least one region inside the image before releasing it.',
    );
  return clipped;
}

function sameMatch(a: DeidPixelRule['match'], b: DeidPixelRule['match']): boolean {
  const norm = (value: string | undefined) => value?.trim().toUpperCase();
  return (
    norm(a.modality) === norm(b.modality) &&
    norm(a.manufacturer) === norm(b.manufacturer) &&
    norm(a.manufacturerModelName) === norm(b.manufacturerModelName) &&
    a.rows === b.rows &&
    a.columns === b.columns
  );
}

/** The settings with `rule` in place of any rule for the same device and size. */
export function withRule(settings: DeidSettings, rule: DeidPixelRule): DeidSettings {
  const others = settings.pixelRules.filter((existing) => !sameMatch(existing.match, rule.match));
  return { ...settings, pixelRules: [...others, rule] };
}

export class HeldReview implements HeldObserver {
  readonly #studies = new Map<string, StudyHeld>();
  /** One decision at a time per object. */
  readonly #busy = new Set<string>();

  constructor(private readonly deps: HeldReviewDependencies) {
    deps.reports.heldObserver = this;
  }

  exportStarted(studyInstanceUID: string, outputDir: string | null): void {
    this.#studies.set(studyInstanceUID, { outputDir, entries: new Map() });
  }

  held(report: DeidReport): void {
    const study = this.#studies.get(report.local.studyInstanceUID);
    if (!study) return;
    study.entries.set(report.local.sopInstanceUID, {
      sopInstanceUID: report.local.sopInstanceUID,
      pseudonymousSopInstanceUID: report.sopInstanceUID,
      reasons: [...report.pixels.reasons],
      reasonCodes: [...report.pixels.reasonCodes],
      status: 'held',
    });
  }

  list(studyInstanceUID: string): DeidHeldObject[] {
    const study = this.#studies.get(studyInstanceUID);
    if (!study) return [];
    const rules = this.deps.settings().pixelRules;
    const objects: DeidHeldObject[] = [];
    for (const entry of study.entries.values()) {
      const file = this.deps.instancePath(entry.sopInstanceUID);
      // An instance deleted from the catalog since the export cannot be reviewed.
      if (!file) continue;
      const header = readDeviceHeader(file);
      objects.push({
        ...entry,
        ...header,
        ocrBoxes: [],
        ruleRegions: rules
          .filter((rule) => ruleMatches(rule, header))
          .flatMap((rule) => rule.regions.map((region) => ({ ...region }))),
      });
    }
    return objects;
  }

  async release(
    studyInstanceUID: string,
    sopInstanceUID: string,
    regions: readonly DeidPixelRect[],
  ): Promise<ReleaseResult> {
    const repeated = this.#studies.get(studyInstanceUID)?.entries.get(sopInstanceUID)?.released;
    if (repeated) return repeated;
    const { study, entry, file } = this.#pending(studyInstanceUID, sopInstanceUID);
    if (!study.outputDir)
      throw new AppError(
        ErrorCode.InvalidRequest,
        'This export has no output folder to write the image into.',
      );
    const outputDir = study.outputDir;
    this.#busy.add(sopInstanceUID);
    try {
      const header = readDeviceHeader(file);
      const rule = reviewRule(header, regions);
      const settings = withRule(this.deps.settings(), rule);
      this.deps.saveSettings(settings);
      const config = this.deps.exportConfig(settings);
      // The object's outcome is taken here; the study's report is updated below, once it is known.
      const seen: { report: DeidReport | null } = { report: null };
      const reports = new (class extends StudyReports {
        override add(result: Parameters<StudyReports['add']>[0]): void {
          if (result.status === 'done' || result.status === 'held') seen.report = result.report;
        }
      })();
      const summary = await deidentifyTree({ inputs: [file], outputDir, config, reports, workers: 0 });
      const releasedReport = seen.report;
      if (summary.failed > 0 || !releasedReport) {
        const failure = summary.failures[0];
        throw new AppError(
          ErrorCode.Io,
          `The image could not be written into the export${failure ? `: ${failure.message}` : '.'}`,
        );
      }
      const report = this.deps.reports.get(studyInstanceUID);
      if (summary.done === 1) {
        entry.status = 'released';
        if (report) {
          report.held = report.held.filter(
            (held) => held.sopInstanceUID !== entry.pseudonymousSopInstanceUID,
          );
          report.objects.held = Math.max(0, report.objects.held - 1);
          report.objects.done += 1;
        }
        this.deps.logger.info(
          { regions: rule.regions.length },
          'deid held object released with a new pixel rule',
        );
        entry.released = {
          status: 'released',
          ruleName: rule.name,
          reasons: releasedReport.pixels.reasons,
          reasonCodes: releasedReport.pixels.reasonCodes,
        };
        return entry.released;
      }
      // Still held (text remains outside the regions, or the pixels cannot be masked): new reasons.
      entry.reasons = [...releasedReport.pixels.reasons];
      entry.reasonCodes = [...releasedReport.pixels.reasonCodes];
      const listed = report?.held.find((held) => held.sopInstanceUID === entry.pseudonymousSopInstanceUID);
      if (listed) {
        listed.reasons = [...entry.reasons];
        listed.reasonCodes = [...entry.reasonCodes];
      }
      return { status: 'held', ruleName: rule.name, reasons: entry.reasons, reasonCodes: entry.reasonCodes };
    } finally {
      this.#busy.delete(sopInstanceUID);
    }
  }

  exclude(studyInstanceUID: string, sopInstanceUID: string): { excluded: boolean } {
    // Asked again (a retry after a lost answer): already done.
    if (this.#studies.get(studyInstanceUID)?.entries.get(sopInstanceUID)?.status === 'excluded')
      return { excluded: true };
    const { entry } = this.#pending(studyInstanceUID, sopInstanceUID);
    entry.status = 'excluded';
    const report = this.deps.reports.get(studyInstanceUID);
    if (report) {
      report.held = report.held.filter((held) => held.sopInstanceUID !== entry.pseudonymousSopInstanceUID);
      report.objects.held = Math.max(0, report.objects.held - 1);
      report.excluded = [...(report.excluded ?? []), { sopInstanceUID: entry.pseudonymousSopInstanceUID }];
    }
    this.deps.logger.info({}, 'deid held object excluded by the reader');
    return { excluded: true };
  }

  #pending(
    studyInstanceUID: string,
    sopInstanceUID: string,
  ): { study: StudyHeld; entry: HeldEntry; file: string } {
    const study = this.#studies.get(studyInstanceUID);
    const entry = study?.entries.get(sopInstanceUID);
    if (!study || !entry)
      throw new AppError(ErrorCode.NotFound, 'This image is not held by the latest export of its study.');
    if (entry.status !== 'held')
      throw new AppError(
        ErrorCode.InvalidRequest,
        entry.status === 'released' ? 'This image was already released.' : 'This image was already excluded.',
      );
    if (this.#busy.has(sopInstanceUID))
      throw new AppError(ErrorCode.InvalidRequest, 'This image is being written; wait for it to finish.');
    const file = this.deps.instancePath(sopInstanceUID);
    if (!file) throw new AppError(ErrorCode.NotFound, 'This image is no longer in the local catalog.');
    return { study, entry, file };
  }
}
