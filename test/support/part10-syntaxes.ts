/**
 * DICOM files in other transfer syntaxes for the SR/SEG reader tests (test/unit/annotation/
 * part10-syntaxes.test.ts, the annotation import fuzz): a file rewritten by dcmtk's dcmconv
 * (+tb big endian, +td deflated, +ti implicit VR; +e/-e explicit/undefined lengths), and a deflate
 * bomb built without inflating anything.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** `file` rewritten by `dcmconv <args>` (scratch files in `dir`). */
export function withTransferSyntax(file: Uint8Array, args: readonly string[], dir: string): Buffer {
  const name = crypto.randomUUID();
  const input = path.join(dir, `${name}-in.dcm`);
  const output = path.join(dir, `${name}-out.dcm`);
  fs.writeFileSync(input, file);
  try {
    execFileSync('dcmconv', [...args, input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
    return fs.readFileSync(output);
  } finally {
    fs.rmSync(input, { force: true });
    fs.rmSync(output, { force: true });
  }
}

/**
 * A raw deflate stream of `mebibytes` MiB of zeros, ~1 KB per MiB: one MiB compressed and ended
 * with a full flush (byte-aligned, nothing referring back), repeated, then a final empty block.
 */
export function deflateBomb(mebibytes: number): Buffer {
  const one = zlib.deflateRawSync(Buffer.alloc(2 ** 20), { finishFlush: zlib.constants.Z_FULL_FLUSH });
  return Buffer.concat([...Array<Buffer>(mebibytes).fill(one), zlib.deflateRawSync(Buffer.alloc(0))]);
}
