/**
 * A minimal explicit VR little endian encoder for the parts of a SEG that repeat per frame.
 * dcmjs (0.52) takes about 5 ms to write each Per-frame Functional Groups item, so a 6,000-frame
 * segmentation took half a minute; these bytes are built directly instead (undefined-length
 * sequences and items, values padded as PS3.5 requires) and spliced after the dcmjs header.
 */
import { LONG_VRS } from '../../dicom/element-header.js';

export class ExplicitLittleEndianWriter {
  #chunks: Buffer[] = [];
  #size = 0;

  #push(buffer: Buffer): void {
    this.#chunks.push(buffer);
    this.#size += buffer.length;
  }

  #header(group: number, element: number, vr: string, length: number): void {
    const long = LONG_VRS.has(vr);
    const head = Buffer.alloc(long ? 12 : 8);
    head.writeUInt16LE(group, 0);
    head.writeUInt16LE(element, 2);
    head.write(vr, 4, 'latin1');
    if (long) head.writeUInt32LE(length, 8);
    else head.writeUInt16LE(length, 6);
    this.#push(head);
  }

  /** A text value (UI padded with NUL, others with a space). */
  text(group: number, element: number, vr: string, value: string): this {
    let bytes = Buffer.from(value, 'latin1');
    if (bytes.length % 2) bytes = Buffer.concat([bytes, Buffer.from(vr === 'UI' ? '\0' : ' ', 'latin1')]);
    this.#header(group, element, vr, bytes.length);
    this.#push(bytes);
    return this;
  }

  us(group: number, element: number, values: readonly number[]): this {
    const bytes = Buffer.alloc(values.length * 2);
    values.forEach((v, i) => bytes.writeUInt16LE(v, i * 2));
    this.#header(group, element, 'US', bytes.length);
    this.#push(bytes);
    return this;
  }

  ul(group: number, element: number, values: readonly number[]): this {
    const bytes = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => bytes.writeUInt32LE(v, i * 4));
    this.#header(group, element, 'UL', bytes.length);
    this.#push(bytes);
    return this;
  }

  /** A sequence of undefined length whose items `items` writes (each call of `item` is one item). */
  sequence(group: number, element: number, items: Array<(w: this) => void>): this {
    this.#header(group, element, 'SQ', 0xffffffff);
    for (const item of items) {
      this.#delimiter(0xe000, 0xffffffff);
      item(this);
      this.#delimiter(0xe00d, 0);
    }
    this.#delimiter(0xe0dd, 0);
    return this;
  }

  #delimiter(element: number, length: number): void {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt16LE(0xfffe, 0);
    bytes.writeUInt16LE(element, 2);
    bytes.writeUInt32LE(length, 4);
    this.#push(bytes);
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }
}
