"""
Objects of every IOD kind the app accepts that pydicom's test files lack, generated with pydicom
(and dcmtk's dcmpsmk for the presentation state) from pydicom's CT_small.dcm and MR_small.dcm:
an RT Structure Set as a Part 10 file, a Segmentation, Enhanced CT and Enhanced MR images, a
Grayscale Softcopy Presentation State with graphics and text, a Comprehensive SR measurement
report with image references and spatial coordinates, and a Key Object Selection document.
Each fills the modules its IOD requires, with the attributes a viewer or a research pipeline
uses, so that a de-identification that drops one shows up as a dciodvfy error or a lost link.

Usage: /usr/bin/python3 iod-fixtures.py <output folder>   (prints the files written, one a line)
"""
import copy
import os
import subprocess
import sys

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

TEST_FILES = os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files')
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
ROOT = '1.2.826.0.1.3680043.8.498.77'
written = []


def uid(suffix):
    return f'{ROOT}.{suffix}'


def code(value, scheme, meaning):
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def save(ds, name):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.is_implicit_VR = False
    ds.is_little_endian = True
    path = os.path.join(OUT, name)
    ds.save_as(path, write_like_original=False)
    written.append(path)


ct = pydicom.dcmread(os.path.join(TEST_FILES, 'CT_small.dcm'))
mr = pydicom.dcmread(os.path.join(TEST_FILES, 'MR_small.dcm'))


def patient_study(ds, source):
    for keyword in ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyInstanceUID',
                    'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'StudyID', 'AccessionNumber']:
        setattr(ds, keyword, getattr(source, keyword, ''))
    ds.SpecificCharacterSet = 'ISO_IR 100'
    ds.Manufacturer = 'RadLabel fixtures'
    ds.InstanceCreationDate = '20240311'
    ds.InstanceCreationTime = '101500'


def enhanced_equipment(ds):
    ds.ManufacturerModelName = 'Fixture'
    ds.DeviceSerialNumber = 'SN-1'
    ds.SoftwareVersions = '1.0'


def frame_content(index):
    item = Dataset()
    item.FrameAcquisitionDateTime = '20040119072730'
    item.FrameReferenceDateTime = '20040119072730'
    item.FrameAcquisitionDuration = 100
    item.StackID = '1'
    item.InStackPositionNumber = index + 1
    item.DimensionIndexValues = [1, index + 1]
    return item


def dimensions(ds):
    organization = Dataset()
    organization.DimensionOrganizationUID = uid('9.1')
    ds.DimensionOrganizationSequence = Sequence([organization])
    stack = Dataset()
    stack.DimensionOrganizationUID = uid('9.1')
    stack.DimensionIndexPointer = 0x00209056
    stack.FunctionalGroupPointer = 0x00209111
    stack.DimensionDescriptionLabel = 'Stack'
    position = Dataset()
    position.DimensionOrganizationUID = uid('9.1')
    position.DimensionIndexPointer = 0x00209057
    position.FunctionalGroupPointer = 0x00209111
    position.DimensionDescriptionLabel = 'Position'
    ds.DimensionIndexSequence = Sequence([stack, position])
    ds.DimensionOrganizationType = '3D'


def geometry(spacing, thickness, position):
    measures = Dataset()
    measures.PixelSpacing = spacing
    measures.SliceThickness = thickness
    orientation = Dataset()
    orientation.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    plane = Dataset()
    plane.ImagePositionPatient = position
    return measures, orientation, plane


def image_pixel(ds, source, frames):
    for keyword in ['SamplesPerPixel', 'PhotometricInterpretation', 'Rows', 'Columns', 'BitsAllocated',
                    'BitsStored', 'HighBit', 'PixelRepresentation']:
        setattr(ds, keyword, getattr(source, keyword))
    ds.NumberOfFrames = frames
    ds.PixelData = source.PixelData * frames


def enhanced_common(ds, source, modality, frames):
    patient_study(ds, source)
    enhanced_equipment(ds)
    ds.Modality = modality
    ds.SeriesInstanceUID = uid('10' if modality == 'CT' else '11')
    ds.SeriesNumber = 100
    ds.SeriesDate = '20040119'
    ds.InstanceNumber = 1
    ds.FrameOfReferenceUID = uid('4.1')
    ds.PositionReferenceIndicator = ''
    ds.PatientPosition = 'HFS'
    ds.AcquisitionDuration = 10
    ds.AcquisitionContextSequence = Sequence()
    ds.ContentDate = '20040119'
    ds.ContentTime = '072730'
    ds.AcquisitionDateTime = '20040119072730'
    ds.AcquisitionNumber = 1
    ds.ContentQualification = 'RESEARCH'
    ds.ImageType = ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE']
    ds.PixelPresentation = 'MONOCHROME'
    ds.VolumetricProperties = 'VOLUME'
    ds.VolumeBasedCalculationTechnique = 'NONE'
    ds.BurnedInAnnotation = 'NO'
    ds.LossyImageCompression = '00'
    ds.PresentationLUTShape = 'IDENTITY'
    ds.RescaleIntercept = None
    image_pixel(ds, source, frames)
    dimensions(ds)
    anatomy = Dataset()
    anatomy.AnatomicRegionSequence = Sequence([code('T-D3000', 'SRT', 'Chest')])
    anatomy.FrameLaterality = 'U'
    voi = Dataset()
    voi.WindowCenter = 40
    voi.WindowWidth = 400
    voi.WindowCenterWidthExplanation = 'SOFT TISSUE'
    transform = Dataset()
    transform.RescaleIntercept = -1024 if modality == 'CT' else 0
    transform.RescaleSlope = 1
    transform.RescaleType = 'HU' if modality == 'CT' else 'US'
    shared = Dataset()
    shared.FrameAnatomySequence = Sequence([anatomy])
    shared.FrameVOILUTSequence = Sequence([voi])
    shared.PixelValueTransformationSequence = Sequence([transform])
    per_frame = []
    for index in range(frames):
        measures, orientation, plane = geometry([0.66, 0.66], 5.0, [-158.0, -179.0, -75.0 + 5 * index])
        item = Dataset()
        item.FrameContentSequence = Sequence([frame_content(index)])
        item.PixelMeasuresSequence = Sequence([measures])
        item.PlaneOrientationSequence = Sequence([orientation])
        item.PlanePositionSequence = Sequence([plane])
        per_frame.append(item)
    del ds.RescaleIntercept
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    return shared, per_frame


# --- RT Structure Set, as a Part 10 file (pydicom's has no file meta) --------------------------
# Its frame of reference and images are made the CT's, and it gets the Contour Image Sequences
# it lacks (structure-set level and per contour), so that every link an ROI has can be checked.
rtstruct = pydicom.dcmread(os.path.join(TEST_FILES, 'rtstruct.dcm'), force=True)
rtstruct.FrameOfReferenceUID = ct.FrameOfReferenceUID
rtstruct.PositionReferenceIndicator = ''
rtstruct.StudyInstanceUID = ct.StudyInstanceUID
contour_image = Dataset()
contour_image.ReferencedSOPClassUID = ct.SOPClassUID
contour_image.ReferencedSOPInstanceUID = ct.SOPInstanceUID
referenced_frame = rtstruct.ReferencedFrameOfReferenceSequence[0]
referenced_frame.FrameOfReferenceUID = ct.FrameOfReferenceUID
referenced_study = referenced_frame.RTReferencedStudySequence[0]
referenced_study.ReferencedSOPClassUID = '1.2.840.10008.3.1.2.3.1'
referenced_study.ReferencedSOPInstanceUID = ct.StudyInstanceUID
referenced_series = referenced_study.RTReferencedSeriesSequence[0]
referenced_series.SeriesInstanceUID = ct.SeriesInstanceUID
referenced_series.ContourImageSequence = Sequence([copy.deepcopy(contour_image)])
for roi in rtstruct.StructureSetROISequence:
    roi.ReferencedFrameOfReferenceUID = ct.FrameOfReferenceUID
for contour in rtstruct.ROIContourSequence[0].ContourSequence:
    contour.ContourImageSequence = Sequence([copy.deepcopy(contour_image)])
save(rtstruct, 'rtstruct-part10.dcm')

# --- Enhanced CT --------------------------------------------------------------------------------
ect = Dataset()
ect.SOPClassUID = '1.2.840.10008.5.1.4.1.1.2.1'
ect.SOPInstanceUID = uid('2.1')
shared, per_frame = enhanced_common(ect, ct, 'CT', 2)
ctframe = Dataset()
ctframe.FrameType = ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE']
ctframe.PixelPresentation = 'MONOCHROME'
ctframe.VolumetricProperties = 'VOLUME'
ctframe.VolumeBasedCalculationTechnique = 'NONE'
shared.CTImageFrameTypeSequence = Sequence([ctframe])
acquisition = Dataset()
acquisition.AcquisitionType = 'SPIRAL'
acquisition.ConstantVolumeFlag = 'NO'
acquisition.FluoroscopyFlag = 'NO'
shared.CTAcquisitionTypeSequence = Sequence([acquisition])
details = Dataset()
details.DataCollectionDiameter = 500
details.GantryDetectorTilt = 0
details.TableHeight = 150
details.RotationDirection = 'CW'
details.RevolutionTime = 0.5
details.SingleCollimationWidth = 0.625
details.TotalCollimationWidth = 40
shared.CTAcquisitionDetailsSequence = Sequence([details])
dynamics = Dataset()
dynamics.TableSpeed = 80
dynamics.TableFeedPerRotation = 40
dynamics.SpiralPitchFactor = 1.0
shared.CTTableDynamicsSequence = Sequence([dynamics])
ctgeometry = Dataset()
ctgeometry.DistanceSourceToDetector = 1040
ctgeometry.DistanceSourceToDataCollectionCenter = 570
shared.CTGeometrySequence = Sequence([ctgeometry])
reconstruction = Dataset()
reconstruction.ReconstructionAlgorithm = 'FILTER_BACK_PROJ'
reconstruction.ConvolutionKernel = 'STANDARD'
reconstruction.ConvolutionKernelGroup = 'SOFT_TISSUE'
reconstruction.ReconstructionDiameter = 400
reconstruction.ReconstructionPixelSpacing = [0.66, 0.66]
reconstruction.ReconstructionAngle = 360
reconstruction.ImageFilter = 'NONE'
shared.CTReconstructionSequence = Sequence([reconstruction])
exposure = Dataset()
exposure.ExposureTimeInms = 500
exposure.XRayTubeCurrentInmA = 200
exposure.ExposureInmAs = 100
exposure.ExposureModulationType = 'NONE'
exposure.CTDIvol = 10.5
shared.CTExposureSequence = Sequence([exposure])
xray = Dataset()
xray.KVP = 120
xray.FocalSpots = [0.7]
xray.FilterType = 'BODY'
xray.FilterMaterial = 'ALUMINUM'
shared.CTXRayDetailsSequence = Sequence([xray])
for index, item in enumerate(per_frame):
    position = Dataset()
    position.TablePosition = -75.0 + 5 * index
    position.ReconstructionTargetCenterPatient = [0, 0, -75.0 + 5 * index]
    position.DataCollectionCenterPatient = [0, 0, -75.0 + 5 * index]
    item.CTPositionSequence = Sequence([position])
    event = Dataset()
    event.IrradiationEventUID = uid(f'12.{index + 1}')
    item.IrradiationEventIdentificationSequence = Sequence([event])
ect.ImageType = ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE']
ect.KVP = None
del ect.KVP
save(ect, 'enhanced-ct.dcm')

# --- Enhanced MR --------------------------------------------------------------------------------
emr = Dataset()
emr.SOPClassUID = '1.2.840.10008.5.1.4.1.1.4.1'
emr.SOPInstanceUID = uid('3.1')
shared, per_frame = enhanced_common(emr, mr, 'MR', 2)
emr.ImageType = ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE']
emr.PixelPresentation = 'MONOCHROME'
emr.ComplexImageComponent = 'MAGNITUDE'
emr.AcquisitionContrast = 'T1'
emr.ResonantNucleus = '1H'
emr.KSpaceFiltering = 'NONE'
emr.MagneticFieldStrength = 1.5
emr.ApplicableSafetyStandardAgency = 'IEC'
emr.ImageComments = 'fixture'
emr.PulseSequenceName = 'SE'
emr.EchoPulseSequence = 'SPIN'
emr.MultipleSpinEcho = 'NO'
emr.MultiPlanarExcitation = 'NO'
emr.PhaseContrast = 'NO'
emr.TimeOfFlightContrast = 'NO'
emr.SteadyStatePulseSequence = 'NONE'
emr.EchoPlanarPulseSequence = 'NO'
emr.SaturationRecovery = 'NO'
emr.SpectrallySelectedSuppression = 'NONE'
emr.OversamplingPhase = 'NONE'
emr.GeometryOfKSpaceTraversal = 'RECTILINEAR'
emr.SegmentedKSpaceTraversal = 'SINGLE'
emr.RectilinearPhaseEncodeReordering = 'LINEAR'
emr.NumberOfKSpaceTrajectories = 1
emr.SpectrallySelectedExcitation = 'NONE'
emr.InversionRecovery = 'NO'
emr.FlowCompensation = 'NONE'
emr.Spoiling = 'NONE'
emr.MRAcquisitionType = '2D'
mrframe = Dataset()
mrframe.FrameType = ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE']
mrframe.PixelPresentation = 'MONOCHROME'
mrframe.VolumetricProperties = 'VOLUME'
mrframe.VolumeBasedCalculationTechnique = 'NONE'
mrframe.ComplexImageComponent = 'MAGNITUDE'
mrframe.AcquisitionContrast = 'T1'
shared.MRImageFrameTypeSequence = Sequence([mrframe])
timing = Dataset()
timing.RepetitionTime = 500
timing.FlipAngle = 90
timing.EchoTrainLength = 1
timing.RFEchoTrainLength = 1
timing.GradientEchoTrainLength = 0
sar = Dataset()
sar.SpecificAbsorptionRateDefinition = 'IEC_WHOLE_BODY'
sar.SpecificAbsorptionRateValue = 0.5
timing.SpecificAbsorptionRateSequence = Sequence([sar])
mode = Dataset()
mode.OperatingModeType = 'STATIC FIELD'
mode.OperatingMode = 'IEC_NORMAL'
timing.OperatingModeSequence = Sequence([mode])
shared.MRTimingAndRelatedParametersSequence = Sequence([timing])
fov = Dataset()
fov.PercentSampling = 100
fov.PercentPhaseFieldOfView = 100
fov.InPlanePhaseEncodingDirection = 'ROW'
fov.MRAcquisitionFrequencyEncodingSteps = 64
fov.MRAcquisitionPhaseEncodingStepsInPlane = 64
shared.MRFOVGeometrySequence = Sequence([fov])
echo = Dataset()
echo.EffectiveEchoTime = 15
shared.MREchoSequence = Sequence([echo])
modifier = Dataset()
modifier.InversionRecovery = 'NO'
modifier.FlowCompensation = 'NONE'
modifier.Spoiling = 'NONE'
modifier.T2Preparation = 'NO'
modifier.SpectrallySelectedExcitation = 'NONE'
modifier.SpatialPresaturation = 'NONE'
modifier.PartialFourier = 'NO'
modifier.ParallelAcquisition = 'NO'
shared.MRModifierSequence = Sequence([modifier])
coil = Dataset()
coil.ReceiveCoilName = 'HEAD'
coil.ReceiveCoilManufacturerName = 'Fixture'
coil.ReceiveCoilType = 'VOLUME'
coil.QuadratureReceiveCoil = 'YES'
shared.MRReceiveCoilSequence = Sequence([coil])
transmit = Dataset()
transmit.TransmitCoilName = 'BODY'
transmit.TransmitCoilManufacturerName = 'Fixture'
transmit.TransmitCoilType = 'BODY'
shared.MRTransmitCoilSequence = Sequence([transmit])
averages = Dataset()
averages.NumberOfAverages = 1
shared.MRAveragesSequence = Sequence([averages])
bandwidth = Dataset()
bandwidth.PixelBandwidth = 130
bandwidth.ChemicalShiftReference = [4.7, 4.7]
bandwidth.VolumeLocalizationTechnique = 'NONE'
bandwidth.Decoupling = 'NO'
bandwidth.TransmitterFrequency = [63.8]
bandwidth.MagnetizationTransfer = 'NONE'
bandwidth.BloodSignalNulling = 'NO'
bandwidth.Tagging = 'NONE'
shared.MRImagingModifierSequence = Sequence([bandwidth])
diffusion = Dataset()
diffusion.DiffusionBValue = 0
diffusion.DiffusionDirectionality = 'NONE'
shared.MRDiffusionSequence = Sequence([diffusion])
save(emr, 'enhanced-mr.dcm')

# --- Segmentation of the CT ------------------------------------------------------------------------
seg = Dataset()
seg.SOPClassUID = '1.2.840.10008.5.1.4.1.1.66.4'
seg.SOPInstanceUID = uid('5.1')
patient_study(seg, ct)
enhanced_equipment(seg)
seg.Modality = 'SEG'
seg.SeriesInstanceUID = uid('5')
seg.SeriesNumber = 300
seg.InstanceNumber = 1
seg.FrameOfReferenceUID = ct.FrameOfReferenceUID
seg.PositionReferenceIndicator = ''
seg.ContentDate = '20040119'
seg.ContentTime = '072730'
seg.ImageType = ['DERIVED', 'PRIMARY']
seg.ContentLabel = 'LIVER'
seg.ContentDescription = 'Liver segmentation'
seg.ContentCreatorName = 'ANNOTATOR^ANNA'
seg.SamplesPerPixel = 1
seg.PhotometricInterpretation = 'MONOCHROME2'
seg.Rows = ct.Rows
seg.Columns = ct.Columns
seg.BitsAllocated = 1
seg.BitsStored = 1
seg.HighBit = 0
seg.PixelRepresentation = 0
seg.LossyImageCompression = '00'
seg.SegmentationType = 'BINARY'
seg.NumberOfFrames = 1
mask = bytearray(ct.Rows * ct.Columns // 8)
for row in range(40, 80):
    for column in range(40, 80):
        bit = row * ct.Columns + column
        mask[bit // 8] |= 1 << (bit % 8)
seg.PixelData = bytes(mask)
segment = Dataset()
segment.SegmentNumber = 1
segment.SegmentLabel = 'Liver'
segment.SegmentAlgorithmType = 'MANUAL'
segment.SegmentedPropertyCategoryCodeSequence = Sequence([code('T-D0050', 'SRT', 'Tissue')])
segment.SegmentedPropertyTypeCodeSequence = Sequence([code('T-62000', 'SRT', 'Liver')])
segment.RecommendedDisplayCIELabValue = [32000, 40000, 30000]
seg.SegmentSequence = Sequence([segment])
reference = Dataset()
reference.ReferencedSOPClassUID = ct.SOPClassUID
reference.ReferencedSOPInstanceUID = ct.SOPInstanceUID
series = Dataset()
series.SeriesInstanceUID = ct.SeriesInstanceUID
series.ReferencedInstanceSequence = Sequence([copy.deepcopy(reference)])
seg.ReferencedSeriesSequence = Sequence([series])
dimensions(seg)
seg.DimensionIndexSequence[0].DimensionIndexPointer = 0x0062000B
seg.DimensionIndexSequence[0].FunctionalGroupPointer = 0x0062000A
seg.DimensionIndexSequence[0].DimensionDescriptionLabel = 'Segment'
seg.DimensionIndexSequence[1].DimensionIndexPointer = 0x00200032
seg.DimensionIndexSequence[1].FunctionalGroupPointer = 0x00209113
measures, orientation, plane = geometry(list(ct.PixelSpacing), ct.SliceThickness, list(ct.ImagePositionPatient))
orientation.ImageOrientationPatient = list(ct.ImageOrientationPatient)
shared = Dataset()
shared.PixelMeasuresSequence = Sequence([measures])
shared.PlaneOrientationSequence = Sequence([orientation])
frame = Dataset()
content = Dataset()
content.DimensionIndexValues = [1, 1]
frame.FrameContentSequence = Sequence([content])
frame.PlanePositionSequence = Sequence([plane])
identification = Dataset()
identification.ReferencedSegmentNumber = 1
frame.SegmentIdentificationSequence = Sequence([identification])
source = Dataset()
source.ReferencedSOPClassUID = ct.SOPClassUID
source.ReferencedSOPInstanceUID = ct.SOPInstanceUID
source.PurposeOfReferenceCodeSequence = Sequence([code('121322', 'DCM', 'Source image for image processing operation')])
derivation = Dataset()
derivation.DerivationCodeSequence = Sequence([code('113076', 'DCM', 'Segmentation')])
derivation.SourceImageSequence = Sequence([source])
frame.DerivationImageSequence = Sequence([derivation])
seg.SharedFunctionalGroupsSequence = Sequence([shared])
seg.PerFrameFunctionalGroupsSequence = Sequence([frame])
save(seg, 'seg.dcm')

# --- Grayscale Softcopy Presentation State (dcmpsmk, then graphics and text added) ---------------
gsps_path = os.path.join(OUT, 'gsps-base.dcm')
subprocess.run(['dcmpsmk', os.path.join(TEST_FILES, 'CT_small.dcm'), gsps_path], check=True)
gsps = pydicom.dcmread(gsps_path)
os.remove(gsps_path)
gsps.SOPInstanceUID = uid('6.1')
gsps.SeriesInstanceUID = uid('6')
gsps.ContentLabel = 'ANNOTATION'
gsps.ContentDescription = 'Lesion measurement'
layer = Dataset()
layer.GraphicLayer = 'LAYER1'
layer.GraphicLayerOrder = 1
layer.GraphicLayerDescription = 'Measurements'
gsps.GraphicLayerSequence = Sequence([layer])
annotation = Dataset()
annotation.ReferencedImageSequence = copy.deepcopy(gsps.ReferencedSeriesSequence[0].ReferencedImageSequence)
annotation.GraphicLayer = 'LAYER1'
text = Dataset()
text.UnformattedTextValue = 'lesion 12 mm'
text.AnchorPointAnnotationUnits = 'PIXEL'
text.AnchorPoint = [50.0, 50.0]
text.AnchorPointVisibility = 'Y'
text.BoundingBoxAnnotationUnits = 'PIXEL'
text.BoundingBoxTopLeftHandCorner = [60.0, 60.0]
text.BoundingBoxBottomRightHandCorner = [120.0, 75.0]
text.BoundingBoxTextHorizontalJustification = 'LEFT'
annotation.TextObjectSequence = Sequence([text])
graphic = Dataset()
graphic.GraphicAnnotationUnits = 'PIXEL'
graphic.GraphicDimensions = 2
graphic.NumberOfGraphicPoints = 2
graphic.GraphicData = [40.0, 40.0, 60.0, 60.0]
graphic.GraphicType = 'POLYLINE'
graphic.GraphicFilled = 'N'
annotation.GraphicObjectSequence = Sequence([graphic])
gsps.GraphicAnnotationSequence = Sequence([annotation])
voi = Dataset()
voi.ReferencedImageSequence = copy.deepcopy(annotation.ReferencedImageSequence)
voi.WindowCenter = 40
voi.WindowWidth = 400
gsps.SoftcopyVOILUTSequence = Sequence([voi])
gsps.ImageRotation = 0
gsps.ImageHorizontalFlip = 'N'
save(gsps, 'gsps.dcm')

# --- Comprehensive SR: a measurement with image references and spatial coordinates --------------
sr = Dataset()
sr.SOPClassUID = '1.2.840.10008.5.1.4.1.1.88.33'
sr.SOPInstanceUID = uid('7.1')
patient_study(sr, ct)
sr.Modality = 'SR'
sr.SeriesInstanceUID = uid('7')
sr.SeriesNumber = 400
sr.InstanceNumber = 1
sr.ContentDate = '20040119'
sr.ContentTime = '072730'
sr.ValueType = 'CONTAINER'
sr.ConceptNameCodeSequence = Sequence([code('126000', 'DCM', 'Imaging Measurement Report')])
sr.ContinuityOfContent = 'SEPARATE'
template = Dataset()
template.MappingResource = 'DCMR'
template.TemplateIdentifier = '1500'
sr.ContentTemplateSequence = Sequence([template])
sr.CompletionFlag = 'COMPLETE'
sr.VerificationFlag = 'UNVERIFIED'
sr.PerformedProcedureCodeSequence = Sequence()
sr.ReferencedPerformedProcedureStepSequence = Sequence()
evidence = Dataset()
evidence.StudyInstanceUID = ct.StudyInstanceUID
evidence_series = Dataset()
evidence_series.SeriesInstanceUID = ct.SeriesInstanceUID
evidence_series.ReferencedSOPSequence = Sequence([copy.deepcopy(reference)])
evidence.ReferencedSeriesSequence = Sequence([evidence_series])
sr.CurrentRequestedProcedureEvidenceSequence = Sequence([evidence])
language = Dataset()
language.RelationshipType = 'HAS CONCEPT MOD'
language.ValueType = 'CODE'
language.ConceptNameCodeSequence = Sequence([code('121049', 'DCM', 'Language of Content Item and Descendants')])
language.ConceptCodeSequence = Sequence([code('en-US', 'RFC5646', 'English (United States)')])
image = Dataset()
image.RelationshipType = 'SELECTED FROM'
image.ValueType = 'IMAGE'
image.ReferencedSOPSequence = Sequence([copy.deepcopy(reference)])
scoord = Dataset()
scoord.RelationshipType = 'INFERRED FROM'
scoord.ValueType = 'SCOORD'
scoord.ConceptNameCodeSequence = Sequence([code('111030', 'DCM', 'Image Region')])
scoord.GraphicType = 'POLYLINE'
scoord.GraphicData = [40.0, 40.0, 60.0, 60.0]
scoord.ContentSequence = Sequence([image])
measured = Dataset()
measured.NumericValue = '12'
measured.MeasurementUnitsCodeSequence = Sequence([code('mm', 'UCUM', 'millimeter')])
measurement = Dataset()
measurement.RelationshipType = 'CONTAINS'
measurement.ValueType = 'NUM'
measurement.ConceptNameCodeSequence = Sequence([code('410668003', 'SCT', 'Length')])
measurement.MeasuredValueSequence = Sequence([measured])
measurement.ContentSequence = Sequence([scoord])
finding = Dataset()
finding.RelationshipType = 'CONTAINS'
finding.ValueType = 'CODE'
finding.ConceptNameCodeSequence = Sequence([code('121071', 'DCM', 'Finding')])
finding.ConceptCodeSequence = Sequence([code('108369006', 'SCT', 'Neoplasm')])
sr.ContentSequence = Sequence([language, finding, measurement])
save(sr, 'comprehensive-sr.dcm')

# --- Key Object Selection --------------------------------------------------------------------------
ko = Dataset()
ko.SOPClassUID = '1.2.840.10008.5.1.4.1.1.88.59'
ko.SOPInstanceUID = uid('8.1')
patient_study(ko, ct)
ko.Modality = 'KO'
ko.SeriesInstanceUID = uid('8')
ko.SeriesNumber = 500
ko.InstanceNumber = 1
ko.ContentDate = '20040119'
ko.ContentTime = '072730'
ko.ReferencedPerformedProcedureStepSequence = Sequence()
ko.ValueType = 'CONTAINER'
ko.ConceptNameCodeSequence = Sequence([code('113000', 'DCM', 'Of Interest')])
ko.ContinuityOfContent = 'SEPARATE'
template = Dataset()
template.MappingResource = 'DCMR'
template.TemplateIdentifier = '2010'
ko.ContentTemplateSequence = Sequence([template])
ko.CurrentRequestedProcedureEvidenceSequence = Sequence([copy.deepcopy(evidence)])
selected = Dataset()
selected.RelationshipType = 'CONTAINS'
selected.ValueType = 'IMAGE'
selected.ReferencedSOPSequence = Sequence([copy.deepcopy(reference)])
ko.ContentSequence = Sequence([selected])
save(ko, 'key-objects.dcm')

print('\n'.join(written))
