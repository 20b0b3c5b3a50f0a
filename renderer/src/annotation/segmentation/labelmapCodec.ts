/**
 * How labelmap slices travel to main (shared/segmentation.ts): zlib-deflated bytes, base64.
 * Mostly-empty 512² slices compress to a few hundred bytes.
 */
import { unzlibSync, zlibSync } from 'fflate';

export function encodeSlice(voxels: Uint8Array): string {
  if (!voxels.some((value) => value !== 0)) return '';
  return bytesToBase64(zlibSync(voxels, { level: 1 }));
}

export function decodeSlice(data: string, length: number): Uint8Array {
  if (data === '') return new Uint8Array(length);
  const raw = unzlibSync(base64ToBytes(data));
  if (raw.length !== length)
    throw new Error(`A stored labelmap slice has ${raw.length} voxels where the image has ${length}.`);
  return raw;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step)
    binary += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + step)));
  return btoa(binary);
}

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** SHA-256 (hex) of a slice's voxels, as main's `segmentation.sliceHashes` computes it. */
export async function sliceSha256(voxels: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', voxels.slice().buffer);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
