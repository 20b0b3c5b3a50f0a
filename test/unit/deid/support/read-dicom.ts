/** Reads de-identified output back with the engine's walker, for assertions. */
import { parseDicomFile, type DicomElement, type ParsedDicom } from '../../../../main/deid/dicom/walker.js';

export interface ReadBack {
  parsed: ParsedDicom;
  /** The element at a path of tags and item indexes: [0x00081140, 0, 0x00081155]. */
  element(path: number[]): DicomElement | undefined;
  bytes(path: number[]): Buffer | undefined;
  text(path: number[]): string | undefined;
  meta(tag: number): string | undefined;
  /** Every value of a tag anywhere in the dataset (any depth), as trimmed latin1 text. */
  all(tag: number): string[];
}

export function readBack(file: Uint8Array): ReadBack {
  const parsed = parseDicomFile(file);
  const source = Buffer.from(parsed.bytes.buffer, parsed.bytes.byteOffset, parsed.bytes.byteLength);
  const element = (path: number[]): DicomElement | undefined => {
    let elements = parsed.dataset;
    let found: DicomElement | undefined;
    for (let i = 0; i < path.length; i += 2) {
      found = elements.find((el) => el.tag === path[i]);
      if (!found) return undefined;
      if (i + 1 < path.length) {
        const item = found.items?.[path[i + 1]!];
        if (!item) return undefined;
        elements = item.elements;
      }
    }
    return found;
  };
  const bytesOf = (el: DicomElement): Buffer =>
    source.subarray(el.valueStart, el.valueStart + el.valueLength);
  const trim = (text: string): string => text.replace(/[\0 ]+$/, '');
  const all = (tag: number): string[] => {
    const out: string[] = [];
    const walk = (elements: DicomElement[]): void => {
      for (const el of elements) {
        if (el.tag === tag && !el.items) out.push(trim(bytesOf(el).toString('latin1')));
        for (const item of el.items ?? []) walk(item.elements);
      }
    };
    walk(parsed.dataset);
    return out;
  };
  return {
    parsed,
    element,
    bytes: (path) => {
      const el = element(path);
      return el ? bytesOf(el) : undefined;
    },
    text: (path) => {
      const el = element(path);
      return el ? trim(bytesOf(el).toString('latin1')) : undefined;
    },
    meta: (tag) => {
      const el = parsed.meta.find((m) => m.tag === tag);
      return el
        ? trim(Buffer.from(file.buffer, file.byteOffset + el.valueStart, el.valueLength).toString('latin1'))
        : undefined;
    },
    all,
  };
}
