/**
 * The Part 10 framing of an output: a zeroed preamble and DICM, the file meta rebuilt (our
 * implementation, the pseudonymous SOP instance, the transfer syntax; source/sending/receiving
 * AE titles and private meta dropped), then the dataset, deflated again for deflated syntax.
 */
import zlib from 'node:zlib';
import { ChunkWriter, type OutElement } from '../dicom/writer.js';
import { TransferSyntax } from '../dicom/walker.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './provenance.js';
import { textValue } from './values.js';

export interface FileMetaValues {
  sopClassUID: string;
  sopInstanceUID: string;
  transferSyntaxUID: string;
}

/** The file meta elements (0002,0001…0013), without the group length. */
export function fileMetaElements(values: FileMetaValues): OutElement[] {
  return [
    { kind: 'value', tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { kind: 'value', tag: 0x00020002, vr: 'UI', value: textValue('UI', values.sopClassUID) },
    { kind: 'value', tag: 0x00020003, vr: 'UI', value: textValue('UI', values.sopInstanceUID) },
    { kind: 'value', tag: 0x00020010, vr: 'UI', value: textValue('UI', values.transferSyntaxUID) },
    { kind: 'value', tag: 0x00020012, vr: 'UI', value: textValue('UI', IMPLEMENTATION_CLASS_UID) },
    { kind: 'value', tag: 0x00020013, vr: 'SH', value: textValue('SH', IMPLEMENTATION_VERSION_NAME) },
  ];
}

/**
 * The whole output as byte ranges: preamble, meta group (with its length), dataset. `body` holds
 * the dataset in the output's syntax (deflated here when the syntax says so).
 */
export function part10Chunks(
  source: Uint8Array,
  values: FileMetaValues,
  body: ChunkWriter,
): { chunks: Uint8Array[]; length: number } {
  const meta = new ChunkWriter(source, { explicitVr: true, littleEndian: true });
  meta.elements(fileMetaElements(values));
  const groupLength = new ChunkWriter(source, { explicitVr: true, littleEndian: true });
  const lengthValue = new Uint8Array(4);
  new DataView(lengthValue.buffer).setUint32(0, meta.length, true);
  groupLength.element({ kind: 'value', tag: 0x00020000, vr: 'UL', value: lengthValue });

  let datasetBytes: Uint8Array[] = body.chunks;
  let datasetLength = body.length;
  if (values.transferSyntaxUID === TransferSyntax.Deflated) {
    const deflated = zlib.deflateRawSync(body.concat());
    datasetBytes = [deflated];
    datasetLength = deflated.length;
  }
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  return {
    chunks: [preamble, ...groupLength.chunks, ...meta.chunks, ...datasetBytes],
    length: 132 + groupLength.length + meta.length + datasetLength,
  };
}
