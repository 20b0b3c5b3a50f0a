"""Writes two DICOM files whose text must survive a C-STORE byte for byte: a GB18030 one and an
ISO 2022 IR 58 (GB2312 with escapes) one, each with private tags (a private creator, a private
text element, a private sequence). Usage: make-charset-files.py OUT_DIR"""
import os
import sys

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

CASES = [
    ("gb18030.dcm", "GB18030", "Wang^XiaoDong=王^小东=", "胸部CT平扫"),
    ("iso2022-ir58.dcm", ["", "ISO 2022 IR 58"], "Zhang^San=张^三=", "头颅MR增强"),
]

for index, (name, charset, patient_name, description) in enumerate(CASES):
    ds = Dataset()
    ds.SpecificCharacterSet = charset
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.8.498.7700.%d" % (index + 1)
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.7701.%d" % (index + 1)
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.7702.%d" % (index + 1)
    ds.PatientName = patient_name
    ds.PatientID = "CHARSET%d" % (index + 1)
    ds.StudyDescription = description
    ds.StudyDate = "20240102"
    ds.Modality = "OT"
    ds.InstanceNumber = 1
    ds.add_new(0x00090010, "LO", "RADLABEL TEST")
    ds.add_new(0x00091001, "LO", description)
    item = Dataset()
    item.add_new(0x00091001, "LO", "nested " + description)
    ds.add_new(0x00091002, "SQ", Sequence([item]))
    ds.Rows = 2
    ds.Columns = 2
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = bytes([0, 64, 128, 255])
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.save_as(os.path.join(out, name), write_like_original=False)
