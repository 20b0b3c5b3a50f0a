/**
 * A fast header reader for DICOM Segmentations: dicom-parser walks the file (element offsets only)
 * and the attributes readSegmentation needs are picked into the same keyword-keyed shape dcmjs
 * gives. dcmjs (0.52) took 12 s to parse a 6,000-frame SEG (its Per-frame Functional Groups);
 * this takes a fraction of a second, and Pixel Data stays a view on the file's bytes (no copy).
 *
 * dicom-parser itself still made an object per element of every frame's functional groups (~20 per
 * frame, 0.7 s for 6,000 frames on a loaded machine), so it parses the header only up to the
 * Per-frame Functional Groups Sequence; that sequence is walked by `readPerFrame` below, which
 * keeps just the three values a frame needs (its source image, position and segment) and skips
 * everything else by length. A file it cannot walk is parsed whole by dicom-parser instead.
 */
import dicomParser from 'dicom-parser';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { decodeText, parseSpecificCharacterSet, textKindFor } from '../../dicom/charset.js';
import { elementHeader, readElementHeader, vrCode } from '../../dicom/element-header.js';
import { type Dataset, part10Layout } from './dataset.js';

type DataSet = dicomParser.DataSet;

export function parseSegmentationFile(file: Uint8Array): Dataset {
  // A deflated data set is inflated first, bounded (a deflate bomb is refused here); dicom-parser is
  // handed the inflated bytes in the layout its `inflater` returns.
  const layout = part10Layout(file);
  const bytes = layout.bytes;
  let root: DataSet;
  let fast: { frames: Dataset[]; pixelData: Uint8Array | undefined } | null = null;
  try {
    const options = { inflater: () => bytes };
    root = dicomParser.parseDicom(bytes, { ...options, untilTag: PER_FRAME_TAG });
    const perFrame = root.elements[PER_FRAME_TAG];
    // The fast walk reads little endian only: a big endian file is parsed whole.
    if (perFrame && root.byteArray === bytes && layout.littleEndian) {
      try {
        fast = readPerFrame(bytes, perFrame, root.string('x00020010') !== IMPLICIT_LITTLE);
      } catch {
        fast = null;
      }
    }
    if (perFrame && !fast) root = dicomParser.parseDicom(bytes, options);
  } catch (error) {
    throw new AppError(ErrorCode.Malformed, 'This segmentation file is damaged and cannot be read.', {
      cause: error,
    });
  }
  try {
    return pick(root, root.byteArray, fast, layout.littleEndian);
  } catch (error) {
    // dicom-parser records an element whose length runs past the end of the file and throws (a
    // string) only when its value is read: such a file ends here as damaged.
    if (error instanceof AppError) throw error;
    throw new AppError(ErrorCode.Malformed, 'This segmentation file is damaged and cannot be read.', {
      cause: error,
    });
  }
}

/** The attributes readSegmentation needs, in the keyword-keyed shape dcmjs gives. */
function pick(
  root: DataSet,
  bytes: Uint8Array,
  fast: { frames: Dataset[]; pixelData: Uint8Array | undefined } | null,
  littleEndian: boolean,
): Dataset {
  const terms = parseSpecificCharacterSet(root.string('x00080005'));
  const str = (ds: DataSet | undefined, tag: string, vr = 'CS'): string | undefined => {
    const element = ds?.elements[tag];
    if (!ds || !element || element.length === 0) return undefined;
    if (vr === 'LO' || vr === 'PN' || vr === 'SH' || vr === 'UC')
      return decodeText(
        ds.byteArray.subarray(element.dataOffset, element.dataOffset + element.length),
        terms,
        textKindFor(vr),
      ).replace(/[\0 ]+$/, '');
    return ds.string(tag)?.replace(/[\0 ]+$/, '');
  };
  const seq = (ds: DataSet | undefined, tag: string): DataSet[] =>
    (ds?.elements[tag]?.items ?? []).map((item) => item.dataSet!).filter(Boolean);
  // A value longer than 16 characters is in LongCodeValue (UC), a URN in URNCodeValue (UR).
  const code = (ds: DataSet) => ({
    CodeValue: str(ds, 'x00080100', 'SH') ?? str(ds, 'x00080119', 'UC') ?? str(ds, 'x00080120', 'UR'),
    CodingSchemeDesignator: str(ds, 'x00080102', 'SH'),
    CodeMeaning: str(ds, 'x00080104', 'LO'),
  });
  const frameItem = (ds: DataSet): Dataset => {
    const out: Dataset = {};
    const derivation = seq(ds, 'x00089124')[0];
    const source = seq(derivation, 'x00082112')[0];
    if (source)
      out['DerivationImageSequence'] = [
        { SourceImageSequence: [{ ReferencedSOPInstanceUID: str(source, 'x00081155') }] },
      ];
    const plane = seq(ds, 'x00209113')[0];
    if (plane) out['PlanePositionSequence'] = [{ ImagePositionPatient: str(plane, 'x00200032') }];
    const segment = seq(ds, 'x0062000a')[0];
    if (segment)
      out['SegmentIdentificationSequence'] = [{ ReferencedSegmentNumber: segment.uint16('x0062000b') }];
    return out;
  };
  const pixel = root.elements['x7fe00010'];
  const lab = (ds: DataSet) => {
    const element = ds.elements['x0062000d'];
    return element ? [0, 1, 2].map((i) => ds.uint16('x0062000d', i) ?? 0) : undefined;
  };
  return {
    TransferSyntaxUID: str(root, 'x00020010'),
    SOPClassUID: str(root, 'x00080016'),
    SOPInstanceUID: str(root, 'x00080018'),
    StudyInstanceUID: str(root, 'x0020000d'),
    // The device that made it (an AI SEG's provenance, main/ai/segments.ts).
    SeriesInstanceUID: str(root, 'x0020000e'),
    Manufacturer: str(root, 'x00080070', 'LO'),
    ManufacturerModelName: str(root, 'x00081090', 'LO'),
    SoftwareVersions: str(root, 'x00181020', 'LO'),
    SegmentationType: str(root, 'x00620001'),
    ContentCreatorName: str(root, 'x00700084', 'PN'),
    Rows: root.uint16('x00280010'),
    Columns: root.uint16('x00280011'),
    BitsAllocated: root.uint16('x00280100'),
    NumberOfFrames: str(root, 'x00280008'),
    MaximumFractionalValue: root.uint16('x0062000e'),
    ReferencedSeriesSequence: seq(root, 'x00081115').map((s) => ({ SeriesInstanceUID: str(s, 'x0020000e') })),
    SegmentSequence: seq(root, 'x00620002').map((s) => ({
      SegmentNumber: s.uint16('x00620004'),
      SegmentLabel: str(s, 'x00620005', 'LO'),
      SegmentAlgorithmType: str(s, 'x00620008'),
      SegmentAlgorithmName: str(s, 'x00620009', 'LO'),
      SegmentDescription: str(s, 'x00620006', 'ST'),
      SegmentedPropertyTypeCodeSequence: seq(s, 'x0062000f').map(code),
      RecommendedDisplayCIELabValue: lab(s),
    })),
    SharedFunctionalGroupsSequence: seq(root, 'x52009229').map(frameItem),
    PerFrameFunctionalGroupsSequence: fast ? fast.frames : seq(root, 'x52009230').map(frameItem),
    PixelData: fast
      ? fast.pixelData
      : pixel
        ? littleEndianWords(
            bytes.subarray(pixel.dataOffset, pixel.dataOffset + pixel.length),
            littleEndian,
            pixel.vr,
          )
        : undefined,
  };
}

/**
 * Pixel Data as the little endian bytes the reader expects: in a big endian file OW words (16-bit
 * label maps, and 1-bit frames packed in words) have their bytes swapped; OB is bytes either way.
 */
function littleEndianWords(pixels: Uint8Array, littleEndian: boolean, vr: string | undefined): Uint8Array {
  if (littleEndian || vr !== 'OW') return pixels;
  const swapped = new Uint8Array(pixels.length);
  for (let i = 0; i + 1 < pixels.length; i += 2) {
    swapped[i] = pixels[i + 1]!;
    swapped[i + 1] = pixels[i]!;
  }
  if (pixels.length % 2) swapped[pixels.length - 1] = pixels[pixels.length - 1]!;
  return swapped;
}

const PER_FRAME_TAG = 'x52009230';
/** Sequences nested in a frame's functional groups (a few in practice). */
const MAX_DEPTH = 16;
const IMPLICIT_LITTLE = '1.2.840.10008.1.2';
const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
const SQ = vrCode('SQ');
const UN = vrCode('UN');
/** The sequences of a frame's functional groups that are read (implicit VR names no SQ). */
const DERIVATION_IMAGE = 0x00089124;
const SOURCE_IMAGE = 0x00082112;
const PLANE_POSITION = 0x00209113;
const SEGMENT_IDENTIFICATION = 0x0062000a;
const REFERENCED_SOP_INSTANCE = 0x00081155;
const IMAGE_POSITION = 0x00200032;
const REFERENCED_SEGMENT_NUMBER = 0x0062000b;
const KNOWN_SEQUENCES = new Set([DERIVATION_IMAGE, SOURCE_IMAGE, PLANE_POSITION, SEGMENT_IDENTIFICATION]);

interface FrameValues {
  sop?: string | undefined;
  position?: string | undefined;
  segment?: number | undefined;
}

/**
 * The frames of the Per-frame Functional Groups Sequence (`element`, as dicom-parser found it) in
 * the shape `frameItem` gives, and the Pixel Data that follows it. One pass over the bytes: each
 * element's header is read, sequences are descended into, other values are skipped by their
 * length; a frame keeps the first value of each kind found under its sequence.
 */
function readPerFrame(
  bytes: Uint8Array,
  element: dicomParser.Element,
  explicit: boolean,
): { frames: Dataset[]; pixelData: Uint8Array | undefined } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length;
  let frame: FrameValues | null = null;
  const text = (offset: number, length: number): string => {
    let value = '';
    for (let i = offset; i < offset + length; i++) value += String.fromCharCode(bytes[i]!);
    return value.replace(/[\0 ]+$/, '').trim();
  };
  const tagAt = (at: number) => ((view.getUint16(at, true) << 16) | view.getUint16(at + 2, true)) >>> 0;
  const header = elementHeader();

  /** A sequence's items; `sequenceTag` and its parent name where the items' values lie. */
  let depth = 0;
  const sequence = (offset: number, length: number, sequenceTag: number, parentTag: number): number => {
    // A frame's functional groups nest a few levels; deeper is hostile (the walk recurses).
    if (++depth > MAX_DEPTH) throw new Error('sequences nested too deep');
    try {
      return sequenceItems(offset, length, sequenceTag, parentTag);
    } finally {
      depth--;
    }
  };
  const sequenceItems = (offset: number, length: number, sequenceTag: number, parentTag: number): number => {
    const limit = length === UNDEFINED ? size : offset + length;
    if (limit > size) throw new Error('a sequence runs past the end of the file');
    let at = offset;
    while (at + 8 <= limit) {
      const tag = tagAt(at);
      const itemLength = view.getUint32(at + 4, true);
      if (tag === SEQUENCE_END) return at + 8;
      if (tag !== ITEM) throw new Error('a sequence holds something other than items');
      if (itemLength === UNDEFINED) at = elements(at + 8, size, true, sequenceTag, parentTag);
      else {
        if (at + 8 + itemLength > size) throw new Error('an item runs past the end of the file');
        elements(at + 8, at + 8 + itemLength, false, sequenceTag, parentTag);
        at += 8 + itemLength;
      }
    }
    if (length === UNDEFINED) throw new Error('a sequence has no end');
    return limit;
  };

  /** The elements of an item (or of the dataset after the sequence); returns where they end. */
  const elements = (
    at: number,
    limit: number,
    delimited: boolean,
    inTag: number,
    parentTag: number,
  ): number => {
    while (at + 8 <= limit) {
      if (!readElementHeader(view, at, explicit, header)) throw new Error('an element header is cut short');
      const { tag, length, valueOffset: offset } = header;
      if (tag === ITEM_END) return at + 8;
      const isSequence = explicit
        ? header.vr === SQ || (header.vr === UN && length === UNDEFINED)
        : length === UNDEFINED || KNOWN_SEQUENCES.has(tag);
      if (isSequence) {
        at = sequence(offset, length, tag, inTag);
        continue;
      }
      if (length === UNDEFINED || offset + length > size) throw new Error('an element cannot be skipped');
      if (frame) {
        if (tag === REFERENCED_SOP_INSTANCE && inTag === SOURCE_IMAGE && parentTag === DERIVATION_IMAGE)
          frame.sop ??= text(offset, length);
        else if (tag === IMAGE_POSITION && inTag === PLANE_POSITION) frame.position ??= text(offset, length);
        else if (tag === REFERENCED_SEGMENT_NUMBER && inTag === SEGMENT_IDENTIFICATION && length >= 2)
          frame.segment ??= view.getUint16(offset, true);
      } else if (tag === PIXEL_DATA) {
        pixelData = bytes.subarray(offset, offset + length);
        return size;
      }
      at = offset + length;
    }
    if (delimited) throw new Error('an item has no end');
    return at;
  };

  let pixelData: Uint8Array | undefined;
  const frames: Dataset[] = [];
  const limit = element.hadUndefinedLength ? size : element.dataOffset + element.length;
  let at = element.dataOffset;
  for (;;) {
    if (at + 8 > limit) {
      if (element.hadUndefinedLength) throw new Error('the sequence has no end');
      break;
    }
    const tag = tagAt(at);
    const itemLength = view.getUint32(at + 4, true);
    if (tag === SEQUENCE_END) {
      at += 8;
      break;
    }
    if (tag !== ITEM) throw new Error('a sequence holds something other than items');
    const values: FrameValues = {};
    frame = values;
    if (itemLength === UNDEFINED) at = elements(at + 8, size, true, 0, 0);
    else {
      elements(at + 8, at + 8 + itemLength, false, 0, 0);
      at += 8 + itemLength;
    }
    frame = null;
    const out: Dataset = {};
    if (values.sop !== undefined)
      out['DerivationImageSequence'] = [{ SourceImageSequence: [{ ReferencedSOPInstanceUID: values.sop }] }];
    if (values.position !== undefined)
      out['PlanePositionSequence'] = [{ ImagePositionPatient: values.position }];
    if (values.segment !== undefined)
      out['SegmentIdentificationSequence'] = [{ ReferencedSegmentNumber: values.segment }];
    frames.push(out);
  }
  // What follows: the Pixel Data (anything between is skipped).
  elements(at, size, false, 0, 0);
  return { frames, pixelData };
}
