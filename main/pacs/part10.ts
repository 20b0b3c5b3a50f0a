/**
 * The Part 10 file meta group for a received C-STORE dataset. Everything it holds is known before
 * the first dataset byte arrives (the SOP class and instance from the command, the transfer syntax
 * from the accepted presentation context), so the SCP writes it first and then streams the
 * dataset bytes exactly as received: private tags and text in any character set stay byte-exact.
 */
import { explicitElementBytes, fileMetaBytes } from '../dicom/element-header.js';

/** Our implementation class UID (under the dcmjs-dimse root the SCP already announces) and version. */
export const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.854.1';
export const IMPLEMENTATION_VERSION_NAME = 'RADLABEL';

const UID_PATTERN = /^[0-9]+(\.[0-9]+)*$/;

/** A DICOM UID as the standard allows it: digits and dots, at most 64 characters. */
export function isValidUid(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 && UID_PATTERN.test(value);
}

export interface FileMetaFields {
  sopClassUID: string;
  sopInstanceUID: string;
  transferSyntaxUID: string;
  /** The calling AE title of the association the object came on (0002,0016). */
  sourceAeTitle: string;
}

/** 128-byte preamble, `DICM`, and the file meta group in explicit VR little endian. */
export function part10Header(fields: FileMetaFields): Buffer {
  const elements = [
    element(0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 'UI', uidValue(fields.sopClassUID)),
    element(0x0003, 'UI', uidValue(fields.sopInstanceUID)),
    element(0x0010, 'UI', uidValue(fields.transferSyntaxUID)),
    element(0x0012, 'UI', uidValue(IMPLEMENTATION_CLASS_UID)),
    element(0x0013, 'SH', textValue(IMPLEMENTATION_VERSION_NAME)),
    element(0x0016, 'AE', textValue(fields.sourceAeTitle.trim().slice(0, 16) || 'UNKNOWN')),
  ];
  return fileMetaBytes(elements);
}

function uidValue(uid: string): Buffer {
  const bytes = Buffer.from(uid, 'ascii');
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from([0])]);
}

function textValue(text: string): Buffer {
  const bytes = Buffer.from(text.replace(/[^\x20-\x7e]/g, '_'), 'ascii');
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from(' ', 'ascii')]);
}

/** A file meta element (group 0002). */
function element(elementNumber: number, vr: 'OB' | 'UI' | 'SH' | 'AE', value: Buffer): Buffer {
  return explicitElementBytes(0x00020000 | elementNumber, vr, value);
}
