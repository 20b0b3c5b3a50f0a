/**
 * A fast header reader for DICOM Segmentations: dicom-parser walks the file (element offsets only)
 * and the attributes readSegmentation needs are picked into the same keyword-keyed shape dcmjs
 * gives. dcmjs (0.52) took 12 s to parse a 6,000-frame SEG (its Per-frame Functional Groups);
 * this takes a fraction of a second, and Pixel Data stays a view on the file's bytes (no copy).
 */
import dicomParser from 'dicom-parser';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { decodeText, parseSpecificCharacterSet, textKindFor } from '../../dicom/charset.js';
import type { Dataset } from './dataset.js';

type DataSet = dicomParser.DataSet;

export function parseSegmentationFile(bytes: Uint8Array): Dataset {
  let root: DataSet;
  try {
    root = dicomParser.parseDicom(bytes);
  } catch (error) {
    throw new AppError(ErrorCode.Malformed, 'This segmentation file is damaged and cannot be read.', {
      cause: error,
    });
  }
  const terms = parseSpecificCharacterSet(root.string('x00080005'));
  const str = (ds: DataSet | undefined, tag: string, vr = 'CS'): string | undefined => {
    const element = ds?.elements[tag];
    if (!ds || !element || element.length === 0) return undefined;
    if (vr === 'LO' || vr === 'PN' || vr === 'SH')
      return decodeText(
        ds.byteArray.subarray(element.dataOffset, element.dataOffset + element.length),
        terms,
        textKindFor(vr),
      ).replace(/[\0 ]+$/, '');
    return ds.string(tag)?.replace(/[\0 ]+$/, '');
  };
  const seq = (ds: DataSet | undefined, tag: string): DataSet[] =>
    (ds?.elements[tag]?.items ?? []).map((item) => item.dataSet!).filter(Boolean);
  const code = (ds: DataSet) => ({
    CodeValue: str(ds, 'x00080100', 'SH'),
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
      SegmentedPropertyTypeCodeSequence: seq(s, 'x0062000f').map(code),
      RecommendedDisplayCIELabValue: lab(s),
    })),
    SharedFunctionalGroupsSequence: seq(root, 'x52009229').map(frameItem),
    PerFrameFunctionalGroupsSequence: seq(root, 'x52009230').map(frameItem),
    PixelData: pixel ? bytes.subarray(pixel.dataOffset, pixel.dataOffset + pixel.length) : undefined,
  };
}
