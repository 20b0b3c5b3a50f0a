/**
 * The same CT image (pydicom's CT_small.dcm) in every lossless transfer syntax the viewer decodes,
 * written by the reference tools (dcmtk, GDCM). Each copy is its own study (new UIDs) with a
 * patient name naming its codec, so one catalog can hold them all and a search finds each.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pydicomTestFilesDir } from '../../fixtures/index.js';

export interface CodecStudy {
  codec: string;
  /** PN as stored; the worklist shows it with a space. */
  patientName: string;
  file: string;
}

const encoders: { codec: string; encode(input: string, output: string): void }[] = [
  { codec: 'Uncompressed', encode: (input, output) => fs.copyFileSync(input, output) },
  { codec: 'JpegLossless', encode: (input, output) => run('dcmcjpeg', ['+e1', '+un', input, output]) },
  { codec: 'JpegLs', encode: (input, output) => run('dcmcjpls', ['+el', '+un', input, output]) },
  { codec: 'Rle', encode: (input, output) => run('dcmcrle', ['+un', input, output]) },
  { codec: 'Jpeg2000', encode: (input, output) => run('gdcmconv', ['--j2k', input, output]) },
];

function run(tool: string, args: string[]): void {
  execFileSync(tool, args, { stdio: 'pipe' });
}

/**
 * pydicom's rtdose.dcm (one instance, 15 frames) as its own study, "MultiFrame^Dose". The
 * reference folder also has single-frame variants sharing its UIDs, so it gets new ones here.
 */
export function makeMultiFrameStudy(dir: string): { file: string; frames: number; patientName: string } {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'rtdose-15-frames.dcm');
  const patientName = 'MultiFrame^Dose';
  fs.copyFileSync(path.join(pydicomTestFilesDir, 'rtdose.dcm'), file);
  run('dcmodify', ['-nb', '-gst', '-gse', '-gin', '-m', `(0010,0010)=${patientName}`, file]);
  return { file, frames: 15, patientName };
}

export function makeCodecStudies(dir: string): CodecStudy[] {
  fs.mkdirSync(dir, { recursive: true });
  return encoders.map(({ codec, encode }) => {
    const source = path.join(dir, `${codec}-source.dcm`);
    const file = path.join(dir, `${codec}.dcm`);
    const patientName = `Codec^${codec}`;
    fs.copyFileSync(path.join(pydicomTestFilesDir, 'CT_small.dcm'), source);
    // New study, series and instance UIDs: each copy is a separate study in the catalog.
    run('dcmodify', ['-nb', '-gst', '-gse', '-gin', '-m', `(0010,0010)=${patientName}`, source]);
    encode(source, file);
    fs.rmSync(source);
    return { codec, patientName, file };
  });
}
