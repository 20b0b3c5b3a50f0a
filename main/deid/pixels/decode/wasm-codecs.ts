/**
 * The Cornerstone WebAssembly codecs (libjpeg-turbo, CharLS, OpenJPEG) loaded in Node from
 * node_modules: no network, no browser. Each codec is instantiated once and reused; decoding is
 * synchronous inside the WebAssembly instance.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export interface DecodedFrame {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  /** Decoded samples, interleaved, 16-bit samples little endian. A copy owned by the caller. */
  bytes: Uint8Array;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number };
  getDecodedBuffer(): Uint8Array;
}
type DecoderClass = new () => WasmDecoder;
type CodecFactory = (module: {
  locateFile: (file: string) => string;
  print: (text: string) => void;
  printErr: (text: string) => void;
}) => Promise<Record<string, unknown>>;

export type WasmCodecName = 'jpeg-baseline' | 'jpeg-ls' | 'jpeg-2000';

const CODECS: Record<WasmCodecName, { entry: string; wasm: string; decoderClass: string }> = {
  'jpeg-baseline': {
    entry: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
    wasm: 'libjpegturbowasm_decode.wasm',
    decoderClass: 'JPEGDecoder',
  },
  'jpeg-ls': {
    entry: '@cornerstonejs/codec-charls/decodewasmjs',
    wasm: 'charlswasm_decode.wasm',
    decoderClass: 'JpegLSDecoder',
  },
  'jpeg-2000': {
    entry: '@cornerstonejs/codec-openjpeg/decodewasmjs',
    wasm: 'openjpegwasm_decode.wasm',
    decoderClass: 'J2KDecoder',
  },
};

const decoders = new Map<WasmCodecName, Promise<WasmDecoder>>();

function loadDecoder(name: WasmCodecName): Promise<WasmDecoder> {
  let decoder = decoders.get(name);
  if (!decoder) {
    const codec = CODECS[name];
    const entryPath = require.resolve(codec.entry);
    const factory = require(entryPath) as CodecFactory;
    decoder = factory({
      locateFile: (file) => (file.endsWith('.wasm') ? path.join(path.dirname(entryPath), codec.wasm) : file),
      // OpenJPEG prints progress to stdout, which would corrupt a CLI's output.
      print: () => undefined,
      printErr: () => undefined,
    }).then((instance) => {
      const DecoderConstructor = instance[codec.decoderClass] as DecoderClass;
      return new DecoderConstructor();
    });
    decoders.set(name, decoder);
  }
  return decoder;
}

export async function decodeWithWasmCodec(name: WasmCodecName, encoded: Uint8Array): Promise<DecodedFrame> {
  const decoder = await loadDecoder(name);
  decoder.getEncodedBuffer(encoded.byteLength).set(encoded);
  try {
    decoder.decode();
  } catch (error) {
    // Emscripten throws a bare pointer (a number) for C++ exceptions: not useful to anyone.
    throw new Error(`${name} decoder rejected the frame`, {
      cause: typeof error === 'number' ? undefined : error,
    });
  }
  const info = decoder.getFrameInfo();
  return {
    width: info.width,
    height: info.height,
    bitsPerSample: info.bitsPerSample,
    componentCount: info.componentCount,
    bytes: decoder.getDecodedBuffer().slice(),
  };
}
