/** Small real DICOM studies with planted markers, and a byte scan of a whole folder for them. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportProgress } from '../../../shared/contract.js';
import type { Services } from '../../../main/services.js';
import { encodePart10 } from '../../fixtures/dicom-writer.js';
import { importAndWait } from '../../support/import.js';

export interface PlantedStudy {
  dir: string;
  marker: string;
  patientName: string;
  patientId: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUIDs: string[];
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

function uid(): string {
  return `2.25.${BigInt(`0x${crypto.randomBytes(15).toString('hex')}`).toString()}`;
}

/** Writes a CT study (3 slices of 16 × 16 unless told) whose patient name, ID and description carry `MARK<tag><random>`. */
export function plantStudy(parent: string, tag: string, slices = 3, size = 16): PlantedStudy {
  const marker = `MARK${tag}${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
  const dir = path.join(parent, `study-${marker}`);
  fs.mkdirSync(dir, { recursive: true });
  const study: PlantedStudy = {
    dir,
    marker,
    patientName: `${marker}^Patient`,
    patientId: `PID${marker}`,
    studyInstanceUID: uid(),
    seriesInstanceUID: uid(),
    sopInstanceUIDs: [],
  };
  for (let k = 0; k < slices; k += 1) {
    const sop = uid();
    study.sopInstanceUIDs.push(sop);
    const pixels = crypto.randomBytes(size * size * 2);
    fs.writeFileSync(
      path.join(dir, `${k}.dcm`),
      encodePart10({
        sopClassUID: CT_IMAGE_STORAGE,
        sopInstanceUID: sop,
        elements: [
          { tag: 0x00080016, vr: 'UI', value: CT_IMAGE_STORAGE },
          { tag: 0x00080018, vr: 'UI', value: sop },
          { tag: 0x00080020, vr: 'DA', value: '20240115' },
          { tag: 0x00080060, vr: 'CS', value: 'CT' },
          { tag: 0x00081030, vr: 'LO', value: `Study ${marker}` },
          { tag: 0x00100010, vr: 'PN', value: study.patientName },
          { tag: 0x00100020, vr: 'LO', value: study.patientId },
          { tag: 0x0020000d, vr: 'UI', value: study.studyInstanceUID },
          { tag: 0x0020000e, vr: 'UI', value: study.seriesInstanceUID },
          { tag: 0x00200013, vr: 'IS', value: String(k + 1) },
          { tag: 0x00280002, vr: 'US', value: [1] },
          { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
          { tag: 0x00280010, vr: 'US', value: [size] },
          { tag: 0x00280011, vr: 'US', value: [size] },
          { tag: 0x00280100, vr: 'US', value: [16] },
          { tag: 0x00280101, vr: 'US', value: [16] },
          { tag: 0x00280102, vr: 'US', value: [15] },
          { tag: 0x00280103, vr: 'US', value: [1] },
          { tag: 0x7fe00010, vr: 'OW', value: pixels },
        ],
      }),
    );
  }
  return study;
}

/** Imports `paths` and resolves with the final progress (failed files included: tests read them). */
export const importPaths = (services: Services, paths: string[]): Promise<ImportProgress> =>
  importAndWait(services, paths, { failOnErrors: false });

/**
 * Every file under `root` (recursively, any kind) whose bytes contain one of `needles` as ASCII
 * or as UTF-16 text; returns "file: needle" lines.
 */
export function scanFolder(
  root: string,
  needles: readonly string[],
  options: { only?: RegExp } = {},
): string[] {
  const hits: string[] = [];
  const patterns = needles.flatMap((needle) => [
    { needle, bytes: Buffer.from(needle, 'latin1') },
    { needle, bytes: Buffer.from(needle, 'utf16le') },
  ]);
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile() && (!options.only || options.only.test(file))) {
        const bytes = fs.readFileSync(file);
        const names = entry.name;
        for (const { needle, bytes: pattern } of patterns)
          if (bytes.includes(pattern) || names.includes(needle))
            hits.push(`${path.relative(root, file)}: ${needle}`);
      }
    }
  };
  walk(root);
  return [...new Set(hits)];
}
