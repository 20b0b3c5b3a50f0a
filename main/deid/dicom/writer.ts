/**
 * Writes a rewritten dataset by splicing: unchanged elements and items are copied from the
 * input as byte ranges (pixel data included, as a subarray, never decoded), and only what
 * changed is encoded. Defined lengths of the sequences and items that contain a change are
 * recomputed; undefined-length ones keep their delimiters and need nothing.
 */
import type { DicomElement, DicomItem, Encoding } from './walker.js';
import { LONG_VRS } from '../../dicom/element-header.js';

export type OutElement =
  | { kind: 'copy'; source: DicomElement }
  | { kind: 'value'; tag: number; vr: string; value: Uint8Array }
  | { kind: 'sequence'; tag: number; undefinedLength: boolean; items: OutItem[] };

export type OutItem =
  { kind: 'copy'; source: DicomItem } | { kind: 'item'; undefinedLength: boolean; elements: OutElement[] };

const UNDEFINED = 0xffffffff;

/** Accumulates output as a list of chunks; copies are subarrays of the input. */
export class ChunkWriter {
  readonly chunks: Uint8Array[] = [];
  length = 0;

  constructor(
    readonly source: Uint8Array,
    readonly encoding: Encoding,
  ) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  header(tag: number, vr: string, length: number): void {
    const { explicitVr, littleEndian } = this.encoding;
    const long = !explicitVr || LONG_VRS.has(vr);
    const header = new Uint8Array(explicitVr && long ? 12 : 8);
    const view = new DataView(header.buffer);
    view.setUint16(0, tag >>> 16, littleEndian);
    view.setUint16(2, tag & 0xffff, littleEndian);
    if (!explicitVr) {
      view.setUint32(4, length, littleEndian);
    } else {
      header[4] = vr.charCodeAt(0);
      header[5] = vr.charCodeAt(1);
      if (long) view.setUint32(8, length, littleEndian);
      else {
        if (length > 0xfffe) throw new RangeError('value too long for its VR');
        view.setUint16(6, length, littleEndian);
      }
    }
    this.push(header);
  }

  marker(tag: number, length: number): void {
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    const little = this.encoding.littleEndian;
    view.setUint16(0, tag >>> 16, little);
    view.setUint16(2, tag & 0xffff, little);
    view.setUint32(4, length, little);
    this.push(bytes);
  }

  elements(elements: OutElement[]): void {
    for (const element of elements) this.element(element);
  }

  element(element: OutElement): void {
    switch (element.kind) {
      case 'copy':
        this.push(this.source.subarray(element.source.start, element.source.end));
        return;
      case 'value':
        this.header(element.tag, element.vr, element.value.length);
        this.push(element.value);
        return;
      case 'sequence': {
        this.header(
          element.tag,
          'SQ',
          element.undefinedLength ? UNDEFINED : itemsLength(element.items, this.encoding),
        );
        for (const item of element.items) this.item(item);
        if (element.undefinedLength) this.marker(0xfffee0dd, 0);
        return;
      }
    }
  }

  item(item: OutItem): void {
    if (item.kind === 'copy') {
      this.push(this.source.subarray(item.source.start, item.source.end));
      return;
    }
    this.marker(0xfffee000, item.undefinedLength ? UNDEFINED : elementsLength(item.elements, this.encoding));
    this.elements(item.elements);
    if (item.undefinedLength) this.marker(0xfffee00d, 0);
  }

  /** One contiguous buffer (the only copy of the pixel data the engine makes). */
  concat(): Uint8Array {
    const output = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      output.set(chunk, offset);
      offset += chunk.length;
    }
    return output;
  }
}

function headerLength(vr: string, encoding: Encoding): number {
  return encoding.explicitVr && LONG_VRS.has(vr) ? 12 : 8;
}

export function elementsLength(elements: OutElement[], encoding: Encoding): number {
  let total = 0;
  for (const element of elements) {
    switch (element.kind) {
      case 'copy':
        total += element.source.end - element.source.start;
        break;
      case 'value':
        total += headerLength(element.vr, encoding) + element.value.length;
        break;
      case 'sequence':
        total +=
          headerLength('SQ', encoding) +
          itemsLength(element.items, encoding) +
          (element.undefinedLength ? 8 : 0);
        break;
    }
  }
  return total;
}

function itemsLength(items: OutItem[], encoding: Encoding): number {
  let total = 0;
  for (const item of items) {
    if (item.kind === 'copy') total += item.source.end - item.source.start;
    else total += 8 + elementsLength(item.elements, encoding) + (item.undefinedLength ? 8 : 0);
  }
  return total;
}
