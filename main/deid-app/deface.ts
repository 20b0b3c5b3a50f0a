/**
 * Defacing in the app: the reader's accepted cuts (one per series, `<data folder>/deid/deface.json`,
 * checked with the contract's schema), the `deid.deface*` methods, and the plan an export runs
 * with when Clean Recognizable Visual Features applies (face-bearing series held unless their
 * cut was accepted).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Handlers } from '../../shared/contract.js';
import { DefaceCutSchema } from '../../shared/deface-contract.js';
import { effectiveDeidOptions } from '../../shared/deid-options.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/logger.js';
import {
  defacePlanes,
  findFaceSurface,
  loadHeadVolume,
  planDeface,
  seriesOfFiles,
  type DefaceCut,
  type Plane,
} from '../deid/deface/index.js';
import { headerOfFile, VolumeUnreadable } from '../deid/deface/volume.js';
import type { DeidConfig } from '../deid/index.js';
import { DEID_DIR_NAME } from './settings-store.js';

export const DEFACE_FILE_NAME = 'deface.json';

const DefaceFile = z.object({
  version: z.literal(1),
  cuts: z.record(z.string(), DefaceCutSchema),
});

export class DefaceStore {
  readonly #file: string;
  #cuts: Record<string, DefaceCut> | null = null;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.#file = path.join(dataDir, DEID_DIR_NAME, DEFACE_FILE_NAME);
  }

  cuts(): Record<string, DefaceCut> {
    if (this.#cuts) return this.#cuts;
    let text: string;
    try {
      text = fs.readFileSync(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return (this.#cuts = {});
      throw new AppError(ErrorCode.Io, 'The accepted defacing cuts cannot be read.', { cause: error });
    }
    const parsed = DefaceFile.safeParse(JSON.parse(text) as unknown);
    if (!parsed.success) {
      // A damaged file accepts nothing: face-bearing series are held again, never written undefaced.
      this.logger.warn({ event: 'deid.deface.file-damaged' }, 'deface cuts file damaged; ignored');
      return (this.#cuts = {});
    }
    return (this.#cuts = parsed.data.cuts as Record<string, DefaceCut>);
  }

  #write(cuts: Record<string, DefaceCut>): void {
    fs.mkdirSync(path.dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify({ version: 1, cuts }, null, 2), { mode: 0o600 });
    fs.renameSync(temporary, this.#file);
    this.#cuts = cuts;
  }

  accept(seriesInstanceUID: string, cut: DefaceCut): void {
    this.#write({ ...this.cuts(), [seriesInstanceUID]: cut });
  }

  clear(seriesInstanceUID: string): boolean {
    const cuts = { ...this.cuts() };
    if (!(seriesInstanceUID in cuts)) return false;
    delete cuts[seriesInstanceUID];
    this.#write(cuts);
    return true;
  }
}

/** The export's configuration with the run's defacing plan, when the option applies. */
export async function withDefacePlan(
  config: DeidConfig,
  files: readonly string[],
  store: DefaceStore,
): Promise<DeidConfig> {
  if (!effectiveDeidOptions(config.profile, config.options).includes('cleanRecognizableVisualFeatures'))
    return config;
  return { ...config, deface: await planDeface(files, store.cuts()) };
}

function planeView(plane: Plane) {
  return { ...plane, pixels: Buffer.from(plane.pixels).toString('base64') };
}

type DefaceMethod = 'deid.defaceSeries' | 'deid.defaceView' | 'deid.defaceAccept' | 'deid.defaceClear';

export function createDefaceHandlers(deps: {
  store: DefaceStore;
  studyFiles(studyInstanceUID: string): string[] | null;
}): Pick<Handlers, DefaceMethod> {
  const filesOf = (studyInstanceUID: string): string[] => {
    const files = deps.studyFiles(studyInstanceUID);
    if (!files) throw new AppError(ErrorCode.NotFound, 'This study is not in the local catalog.');
    return files;
  };
  const seriesFiles = (studyInstanceUID: string, seriesInstanceUID: string): string[] => {
    const group = seriesOfFiles(filesOf(studyInstanceUID)).get(seriesInstanceUID);
    if (!group) throw new AppError(ErrorCode.NotFound, 'This series is not in the study.');
    return group.files;
  };
  return {
    'deid.defaceSeries': async ({ studyInstanceUID }) => {
      const cuts = deps.store.cuts();
      const result = [];
      for (const [seriesInstanceUID, group] of seriesOfFiles(filesOf(studyInstanceUID))) {
        if (!group.suggestsFace) continue;
        let automatic = false;
        try {
          const surface = findFaceSurface(await loadHeadVolume(group.files));
          if (!surface.landmarks) continue; // no face in the volume
          automatic = true;
        } catch (error) {
          if (!(error instanceof VolumeUnreadable)) throw error;
        }
        result.push({
          seriesInstanceUID,
          seriesDescription: headerOfFile(group.files[0]!).seriesDescription,
          accepted: seriesInstanceUID in cuts,
          automatic,
        });
      }
      return result;
    },
    'deid.defaceView': async ({ studyInstanceUID, seriesInstanceUID }) => {
      const started = performance.now();
      let volume;
      try {
        volume = await loadHeadVolume(seriesFiles(studyInstanceUID, seriesInstanceUID));
      } catch (error) {
        if (error instanceof VolumeUnreadable)
          throw new AppError(
            ErrorCode.InvalidRequest,
            `This series cannot be shown for defacing: ${error.message}.`,
          );
        throw error;
      }
      const surface = findFaceSurface(volume);
      const surfaceMs = performance.now() - started;
      const accepted = deps.store.cuts()[seriesInstanceUID] ?? null;
      const middle = volume.slices[Math.floor(volume.slices.length / 2)]!.geometry.position;
      const fallback: DefaceCut = {
        superior: [surface.midlineX, middle[1], volume.slices[0]!.geometry.position[2]],
        inferior: [surface.midlineX, middle[1], volume.slices.at(-1)!.geometry.position[2]],
      };
      const cut = accepted ?? surface.cut ?? fallback;
      const planes = defacePlanes(volume, surface, cut);
      return {
        seriesInstanceUID,
        cut,
        accepted: accepted !== null,
        automaticCut: surface.cut,
        landmarks: surface.landmarks,
        planes: {
          axial: planeView(planes.axial),
          coronal: planeView(planes.coronal),
          sagittal: planeView(planes.sagittal),
        },
        surfaceMs,
      };
    },
    'deid.defaceAccept': async ({ studyInstanceUID, seriesInstanceUID, cut }) => {
      seriesFiles(studyInstanceUID, seriesInstanceUID);
      deps.store.accept(seriesInstanceUID, cut);
      return { accepted: true };
    },
    'deid.defaceClear': async ({ seriesInstanceUID }) => ({ cleared: deps.store.clear(seriesInstanceUID) }),
  };
}
