/**
 * Test helper: builds the PixelContext the header engine would hand to the pixel cleaner, from
 * a DICOM file on disk, with dicom-parser. Keeps the pixel tests independent of the engine.
 */
import fs from 'node:fs';
import dicomParser from 'dicom-parser';
import type { PixelContext } from '../../../../main/deid/pixels/types.js';

export const PYDICOM_TEST_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

function encapsulatedFrames(dataSet: dicomParser.DataSet, element: dicomParser.Element, numberOfFrames: number): Uint8Array[] {
  const fragments = element.fragments ?? [];
  const frames: Uint8Array[] = [];
  if ((element.basicOffsetTable?.length ?? 0) > 0) {
    for (let frame = 0; frame < numberOfFrames; frame += 1) frames.push(dicomParser.readEncapsulatedImageFrame(dataSet, element, frame).slice());
  } else if (numberOfFrames === 1) {
    frames.push(dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length).slice());
  } else if (fragments.length === numberOfFrames) {
    for (let frame = 0; frame < numberOfFrames; frame += 1) frames.push(dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frame, 1).slice());
  } else {
    const table = dicomParser.createJPEGBasicOffsetTable(dataSet, element);
    for (let frame = 0; frame < numberOfFrames; frame += 1) frames.push(dicomParser.readEncapsulatedImageFrame(dataSet, element, frame, table).slice());
  }
  return frames;
}

export function pixelContextFromBytes(bytes: Uint8Array, overrides: Partial<PixelContext> = {}): PixelContext {
  const dataSet = dicomParser.parseDicom(bytes);
  const text = (tag: string): string => dataSet.string(tag) ?? '';
  const number = (tag: string, fallback = 0): number => dataSet.uint16(tag) ?? fallback;
  const element = dataSet.elements['x7fe00010'];
  if (!element) throw new Error('no PixelData');
  const numberOfFrames = Number.parseInt(text('x00280008') || '1', 10);
  const transferSyntaxUID = text('x00020010') || '1.2.840.10008.1.2';
  const pixelData: PixelContext['pixelData'] = element.encapsulatedPixelData
    ? { kind: 'encapsulated', frames: encapsulatedFrames(dataSet, element, numberOfFrames) }
    : { kind: 'native', bytes: bytes.slice(element.dataOffset, element.dataOffset + element.length) };
  return {
    modality: text('x00080060'),
    sopClassUID: text('x00080016'),
    manufacturer: text('x00080070'),
    manufacturerModelName: text('x00081090'),
    burnedInAnnotation: text('x00280301'),
    imageType: (dataSet.string('x00080008') ?? '').split('\\').filter((value) => value !== ''),
    conversionType: text('x00080064'),
    rows: number('x00280010'),
    columns: number('x00280011'),
    bitsAllocated: number('x00280100'),
    bitsStored: number('x00280101'),
    samplesPerPixel: number('x00280002', 1),
    photometricInterpretation: text('x00280004'),
    pixelRepresentation: number('x00280103'),
    planarConfiguration: number('x00280006'),
    numberOfFrames,
    transferSyntaxUID,
    identifyingValues: [],
    pixelData,
    ...overrides,
  };
}

export function pixelContextFromFile(file: string, overrides: Partial<PixelContext> = {}): PixelContext {
  return pixelContextFromBytes(new Uint8Array(fs.readFileSync(file)), overrides);
}
