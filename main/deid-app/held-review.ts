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
import dicomParser from 'dicom-parser';
import type { DeidHeldObject, DeidPixelRect, DeidPixelRule, DeidSettings } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import { createDeidentifier, type DeidConfig, type DeidReport } from '../deid/index.js';
import { firstFrameTextBoxes } from '../deid/pixels/text-boxes.js';
import type { PixelCleaner } from '../deid/pixels/types.js';
import { ruleMatches } from '../deid/pixels/rules.js';
import { deidentifyTree, StudyReports } from '../deid/service.js';
import type { HeldObserver, LatestStudyReports } from './export-jobs.js';
import { type HeldRecord, type HeldRelease, HeldStore } from './held-store.js';
import { readStoredFile, readStoredFileSync } from '../cache/store-cipher.js';

export type { HeldRelease as ReleaseResult } from './held-store.js';

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
  /** The engine configuration without linkage (reading an image with OCR writes nothing). */
  previewConfig(): DeidConfig;
  /** Where the held list lives; an in-memory store when omitted. */
  store?: HeldStore;
}

/** Reads the device and image size of a stored file (header only, pixel data not read). */
export function readDeviceHeader(file: string): DeviceHeader {
  let bytes: Uint8Array;
  try {
    bytes = readStoredFileSync(file);
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
  readonly #store: HeldStore;
  readonly #ownsStore: boolean;
  /** One decision at a time per object. */
  readonly #busy = new Set<string>();
  /** OCR readings in flight, by SOP Instance UID (asked twice, read once). */
  readonly #reading = new Map<string, Promise<DeidPixelRect[]>>();
  /** OCR reads one image at a time. */
  #ocrQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: HeldReviewDependencies) {
    deps.reports.heldObserver = this;
    this.#ownsStore = !deps.store;
    this.#store = deps.store ?? new HeldStore();
  }

  exportStarted(studyInstanceUID: string, outputDir: string | null): void {
    this.#store.exportStarted(studyInstanceUID, outputDir);
  }

  held(report: DeidReport): void {
    this.#store.held(report.local.studyInstanceUID, {
      sopInstanceUID: report.local.sopInstanceUID,
      pseudonymousSopInstanceUID: report.sopInstanceUID,
      reasons: [...report.pixels.reasons],
      reasonCodes: [...report.pixels.reasonCodes],
      // The cleaner's own reading, when it read the image (OCR on); otherwise read on review.
      ocrBoxes: report.pixels.textBoxes ? [...report.pixels.textBoxes] : null,
    });
  }

  list(studyInstanceUID: string): DeidHeldObject[] {
    const rules = this.deps.settings().pixelRules;
    const objects: DeidHeldObject[] = [];
    for (const entry of this.#store.list(studyInstanceUID)) {
      const file = this.deps.instancePath(entry.sopInstanceUID);
      // An instance deleted from the catalog since the export cannot be reviewed.
      if (!file) continue;
      const header = readDeviceHeader(file);
      objects.push({
        sopInstanceUID: entry.sopInstanceUID,
        pseudonymousSopInstanceUID: entry.pseudonymousSopInstanceUID,
        reasons: entry.reasons,
        reasonCodes: entry.reasonCodes,
        status: entry.status,
        ...header,
        ocrBoxes: entry.ocrBoxes ?? [],
        ruleRegions: rules
          .filter((rule) => ruleMatches(rule, header))
          .flatMap((rule) => rule.regions.map((region) => ({ ...region }))),
      });
    }
    return objects;
  }

  /**
   * Where OCR finds text on a held image (first frame, image pixels): the export's own reading
   * when it had one, else the image is read now with the pixel cleaner (both OCR scales, as if
   * OCR masking were on, no rule) and the boxes are kept with the held object.
   */
  async textBoxes(studyInstanceUID: string, sopInstanceUID: string): Promise<DeidPixelRect[]> {
    const entry = this.#store.get(studyInstanceUID, sopInstanceUID);
    if (!entry)
      throw new AppError(ErrorCode.NotFound, 'This image is not held by the latest export of its study.');
    if (entry.ocrBoxes) return entry.ocrBoxes;
    const running = this.#reading.get(sopInstanceUID);
    if (running) return running;
    const file = this.deps.instancePath(sopInstanceUID);
    if (!file) throw new AppError(ErrorCode.NotFound, 'This image is no longer in the local catalog.');
    const reading = this.#ocrQueue
      .then(() => this.#readText(file))
      .then((boxes) => {
        // Stored unless a new export replaced the held list meanwhile.
        if (this.#store.get(studyInstanceUID, sopInstanceUID))
          this.#store.setOcrBoxes(studyInstanceUID, sopInstanceUID, boxes);
        this.deps.logger.info({ boxes: boxes.length }, 'deid held image read by OCR for the review');
        return boxes;
      })
      .finally(() => this.#reading.delete(sopInstanceUID));
    this.#ocrQueue = reading.catch(() => undefined);
    this.#reading.set(sopInstanceUID, reading);
    return reading;
  }

  async #readText(file: string): Promise<DeidPixelRect[]> {
    let bytes: Uint8Array;
    try {
      bytes = await readStoredFile(file);
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'The stored image file cannot be read.', { cause: error });
    }
    const { createPixelCleaner } = await import('../deid/pixels/index.js');
    const cleaner = createPixelCleaner({ logger: this.deps.logger });
    let boxes: DeidPixelRect[] = [];
    // The engine hands the cleaner the image as the export saw it (pixel layout, codec, the
    // header's identifying values); this cleaner only reads it and lets nothing out.
    const reader: PixelCleaner = {
      async clean(context) {
        const decision = await cleaner.clean(context, {
          cleanPixelData: true,
          ocr: true,
          rules: [],
          series: { textFound: true, framesRead: 1 },
        });
        boxes = firstFrameTextBoxes(decision.regions);
        return { action: 'hold', reasons: [], regions: [] };
      },
    };
    const probe = createDeidentifier({
      ...this.deps.previewConfig(),
      options: [...new Set([...this.deps.previewConfig().options, 'cleanPixelData' as const])],
      pixelCleaner: reader,
      linkage: undefined,
      seriesSamples: undefined,
    });
    try {
      await probe.deidentify(bytes);
    } finally {
      await probe.close();
      await cleaner.close();
    }
    return boxes;
  }

  async release(
    studyInstanceUID: string,
    sopInstanceUID: string,
    regions: readonly DeidPixelRect[],
  ): Promise<HeldRelease> {
    const repeated = this.#store.get(studyInstanceUID, sopInstanceUID)?.released;
    if (repeated) return repeated;
    const { entry, file } = this.#pending(studyInstanceUID, sopInstanceUID);
    const outputDir = this.#store.outputDir(studyInstanceUID);
    if (!outputDir)
      throw new AppError(
        ErrorCode.InvalidRequest,
        'This export has no output folder to write the image into.',
      );
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
        const released: HeldRelease = {
          status: 'released',
          ruleName: rule.name,
          reasons: releasedReport.pixels.reasons,
          reasonCodes: releasedReport.pixels.reasonCodes,
        };
        this.#store.decide(studyInstanceUID, sopInstanceUID, {
          reasons: entry.reasons,
          reasonCodes: entry.reasonCodes,
          status: 'released',
          released,
        });
        return released;
      }
      // Still held (text remains outside the regions, or the pixels cannot be masked): new reasons.
      const reasons = [...releasedReport.pixels.reasons];
      const reasonCodes = [...releasedReport.pixels.reasonCodes];
      this.#store.decide(studyInstanceUID, sopInstanceUID, {
        reasons,
        reasonCodes,
        status: 'held',
        released: null,
      });
      const listed = report?.held.find((held) => held.sopInstanceUID === entry.pseudonymousSopInstanceUID);
      if (listed) {
        listed.reasons = [...reasons];
        listed.reasonCodes = [...reasonCodes];
      }
      return { status: 'held', ruleName: rule.name, reasons, reasonCodes };
    } finally {
      this.#busy.delete(sopInstanceUID);
    }
  }

  exclude(studyInstanceUID: string, sopInstanceUID: string): { excluded: boolean } {
    // Asked again (a retry after a lost answer): already done.
    if (this.#store.get(studyInstanceUID, sopInstanceUID)?.status === 'excluded') return { excluded: true };
    const { entry } = this.#pending(studyInstanceUID, sopInstanceUID);
    this.#store.decide(studyInstanceUID, sopInstanceUID, {
      reasons: entry.reasons,
      reasonCodes: entry.reasonCodes,
      status: 'excluded',
      released: null,
    });
    const report = this.deps.reports.get(studyInstanceUID);
    if (report) {
      report.held = report.held.filter((held) => held.sopInstanceUID !== entry.pseudonymousSopInstanceUID);
      report.objects.held = Math.max(0, report.objects.held - 1);
      report.excluded = [...(report.excluded ?? []), { sopInstanceUID: entry.pseudonymousSopInstanceUID }];
    }
    this.deps.logger.info({}, 'deid held object excluded by the reader');
    return { excluded: true };
  }

  /** Waits for OCR readings in flight; closes the store it opened itself. */
  async close(): Promise<void> {
    await this.#ocrQueue;
    if (this.#ownsStore) this.#store.close();
  }

  #pending(studyInstanceUID: string, sopInstanceUID: string): { entry: HeldRecord; file: string } {
    const entry = this.#store.get(studyInstanceUID, sopInstanceUID);
    if (!entry)
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
    return { entry, file };
  }
}
