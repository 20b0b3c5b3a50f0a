/**
 * The loader's `setPixelDataType` without its copy: Cornerstone's `createImage` calls it on every
 * decoded frame to give the pixels the typed array their range needs, and it always built a new
 * array, copying a frame that (from the worker, or from decodeImageFrame.ts) already had exactly
 * that type. The array is kept when its type is already the one the range asks for; otherwise the
 * values are converted as before. Swapped in at build time (renderer/vite-plugins/native-decode.ts).
 */
export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Float32Array;

interface TypedFrame {
  smallestPixelValue?: number;
  largestPixelValue?: number;
  pixelData?: ArrayLike<number> | ArrayBufferLike;
}

/** Cornerstone's `getPixelDataTypeFromMinMax`. */
export function pixelDataType(
  min: number,
  max: number,
): new (source: number | ArrayLike<number> | ArrayBufferLike) => PixelArray {
  if (Number.isInteger(min) && Number.isInteger(max)) {
    if (min >= 0) {
      if (max <= 255) return Uint8Array;
      if (max <= 65535) return Uint16Array;
      if (max <= 4294967295) return Uint32Array;
    } else {
      if (min >= -128 && max <= 127) return Int8Array;
      if (min >= -32768 && max <= 32767) return Int16Array;
    }
  }
  return Float32Array;
}

export default function setPixelDataType(imageFrame: TypedFrame): void {
  const Type = pixelDataType(imageFrame.smallestPixelValue!, imageFrame.largestPixelValue!);
  const data = imageFrame.pixelData;
  if (data !== undefined && Object.getPrototypeOf(data) === Type.prototype) return;
  imageFrame.pixelData = new Type(data!);
}
