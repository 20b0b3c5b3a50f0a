import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeEncapsulatedFrames } from '../../../../main/deid/pixels/decode/index.js';
import { layoutOf, type PixelLayout } from '../../../../main/deid/pixels/layout.js';
import { frameBrightness } from '../../../../main/deid/pixels/render.js';
import type { PixelContext } from '../../../../main/deid/pixels/types.js';
import { PYDICOM_TEST_FILES, pixelContextFromFile } from '../../../fixtures/deid-markers/pixel-context.js';

const file = (name: string): string => path.join(PYDICOM_TEST_FILES, name);

function layoutFor(context: PixelContext): PixelLayout {
  const result = layoutOf(context);
  if (!result.ok) throw new Error(result.reason);
  return result.layout;
}

async function decode(name: string): Promise<{ frames: Uint8Array[]; layout: PixelLayout }> {
  const context = pixelContextFromFile(file(name));
  if (context.pixelData.kind !== 'encapsulated') throw new Error(`${name} is not encapsulated`);
  const result = await decodeEncapsulatedFrames(
    context.pixelData.frames,
    context.transferSyntaxUID,
    layoutFor(context),
  );
  if (!result.ok) throw new Error(result.reason);
  return result;
}

function nativeBytes(name: string): Uint8Array {
  const context = pixelContextFromFile(file(name));
  if (context.pixelData.kind !== 'native') throw new Error(`${name} is not native`);
  return context.pixelData.bytes;
}

describe('decoding compressed pixel data for masking', () => {
  it.each(['MR_small_RLE.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'MR_small_jp2klossless.dcm'])(
    'decodes lossless %s to exactly the uncompressed pixels',
    async (name) => {
      const { frames } = await decode(name);
      expect(frames).toHaveLength(1);
      expect(Buffer.from(frames[0]!).equals(Buffer.from(nativeBytes('MR_small.dcm')))).toBe(true);
    },
  );

  it('decodes RGB RLE and RGB JPEG lossless of the same picture to the same pixels', async () => {
    const rle = await decode('SC_rgb_rle.dcm');
    const jpegLossless = await decode('SC_rgb_jpeg_gdcm.dcm');
    expect(Buffer.from(rle.frames[0]!).equals(Buffer.from(jpegLossless.frames[0]!))).toBe(true);
  });

  it('decodes a YBR_FULL baseline JPEG to RGB close to the lossless original', async () => {
    const lossless = await decode('SC_rgb_rle.dcm');
    const lossy = await decode('SC_rgb_jpeg_dcmtk.dcm');
    expect(lossy.layout.photometricInterpretation).toBe('RGB');
    const a = lossless.frames[0]!;
    const b = lossy.frames[0]!;
    let totalDifference = 0;
    for (let index = 0; index < a.length; index += 1) totalDifference += Math.abs(a[index]! - b[index]!);
    expect(totalDifference / a.length).toBeLessThan(8);
  });

  it('decodes every frame of a multi-frame RLE object', async () => {
    const { frames } = await decode('SC_rgb_rle_2frame.dcm');
    expect(frames).toHaveLength(2);
    expect(frames[0]!.byteLength).toBe(100 * 100 * 3);
  });

  it('decodes 16-bit RGB RLE into little-endian samples', async () => {
    const { frames, layout } = await decode('SC_rgb_rle_16bit.dcm');
    const eightBit = await decode('SC_rgb_rle.dcm');
    expect(frames[0]!.byteLength).toBe(100 * 100 * 3 * 2);
    // The 16-bit test picture is the 8-bit one scaled by 257: brightness is the same.
    expect(
      Buffer.from(frameBrightness(frames[0]!, layout)).equals(
        Buffer.from(frameBrightness(eightBit.frames[0]!, eightBit.layout)),
      ),
    ).toBe(true);
  });

  it('decodes a 16-bit signed JPEG 2000 image', async () => {
    const { frames, layout } = await decode('JPEG2000.dcm');
    expect(frames[0]!.byteLength).toBe(layout.rows * layout.columns * 2);
  });

  it('reports 12-bit lossy JPEG as not decodable rather than guessing', async () => {
    const context = pixelContextFromFile(file('JPGExtended.dcm'));
    if (context.pixelData.kind !== 'encapsulated') throw new Error('expected encapsulated');
    const result = await decodeEncapsulatedFrames(
      context.pixelData.frames,
      context.transferSyntaxUID,
      layoutFor(context),
    );
    expect(result).toEqual({ ok: false, reason: 'compressed and cannot decode' });
  });

  it('reports an unknown compressed transfer syntax as not decodable', async () => {
    const context = pixelContextFromFile(file('MR_small_RLE.dcm'));
    if (context.pixelData.kind !== 'encapsulated') throw new Error('expected encapsulated');
    const result = await decodeEncapsulatedFrames(
      context.pixelData.frames,
      '1.2.840.10008.1.2.4.100',
      layoutFor(context),
    );
    expect(result.ok).toBe(false);
  });

  it('renders big-endian native pixels the same as little-endian ones', () => {
    const little = pixelContextFromFile(file('MR_small.dcm'));
    const big = pixelContextFromFile(file('MR_small_bigendian.dcm'));
    if (little.pixelData.kind !== 'native' || big.pixelData.kind !== 'native')
      throw new Error('expected native');
    expect(
      Buffer.from(frameBrightness(big.pixelData.bytes, layoutFor(big))).equals(
        Buffer.from(frameBrightness(little.pixelData.bytes, layoutFor(little))),
      ),
    ).toBe(true);
  });
});
