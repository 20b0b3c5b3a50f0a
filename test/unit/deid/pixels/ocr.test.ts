/**
 * The OCR engine runs from node_modules only: its worker, WebAssembly core and English
 * traineddata resolve to local files, and it reads text in a process with no network at all.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTesseractPaths } from '../../../../main/deid/pixels/ocr.js';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');

describe('offline OCR', () => {
  it('resolves every tesseract.js part inside node_modules', () => {
    const paths = localTesseractPaths();
    const nodeModules = fs.realpathSync(path.join(repoRoot, 'node_modules'));
    for (const part of [paths.workerPath, paths.corePath, paths.langPath]) {
      expect(fs.realpathSync(part).startsWith(nodeModules)).toBe(true);
      expect(fs.existsSync(part)).toBe(true);
    }
    expect(fs.existsSync(path.join(paths.langPath, 'eng.traineddata.gz'))).toBe(true);
  });

  it('reads rendered text in a process without network access', () => {
    // A bitmap "HELLO 42" drawn in a 5×7 font, scaled up, recognised under `unshare -n`
    // (a new network namespace with no interfaces but loopback, which is down).
    const script = `
      import { createTesseractOcr } from '${path.join(repoRoot, 'main/deid/pixels/ocr.ts')}';
      const glyphs = { H: ['10001','10001','10001','11111','10001','10001','10001'], E: ['11111','10000','10000','11110','10000','10000','11111'],
        L: ['10000','10000','10000','10000','10000','10000','11111'], O: ['01110','10001','10001','10001','10001','10001','01110'],
        4: ['00010','00110','01010','10010','11111','00010','00010'], 2: ['01110','10001','00001','00010','00100','01000','11111'], ' ': ['00000','00000','00000','00000','00000','00000','00000'] };
      const text = 'HELLO 42', scale = 6, width = (text.length * 6 + 4) * scale, height = 11 * scale;
      const pixels = new Uint8Array(width * height).fill(255);
      [...text].forEach((character, index) => glyphs[character].forEach((row, y) => [...row].forEach((bit, x) => {
        if (bit === '1') for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) pixels[((y + 2) * scale + dy) * width + ((index * 6 + x + 2) * scale + dx)] = 0;
      })));
      const ocr = createTesseractOcr();
      const words = await ocr.recognize({ width, height, pixels, scale: 1 });
      await ocr.close();
      console.log(JSON.stringify(words.map((word) => word.text)));
    `;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radlabel-ocr-offline-'));
    try {
      fs.writeFileSync(path.join(dir, 'probe.mts'), script);
      const output = execFileSync(
        'unshare',
        ['-n', process.execPath, '--import', 'tsx', path.join(dir, 'probe.mts')],
        { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
      );
      expect(JSON.parse(output.trim().split('\n').pop()!)).toEqual(['HELLO', '42']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
