/**
 * The keep-list: public attributes that Table E.1-1 does not name but that an image needs to stay
 * valid, viewable and measurable, and that carry no identity (geometry, pixel encoding, LUTs,
 * acquisition physics, coded vocabulary, SR and segmentation structure).
 *
 * When a project removes unnamed attributes (`DeidConfig.removeUnlisted`, on by default for the
 * research profile), every public attribute that neither the table nor this list names is removed.
 * Without that option this list still decides which unnamed text is structure (kept, and checked
 * for the header's identifying values like any kept text) rather than narrative (emptied).
 *
 * Attributes on this list keep the engine's rules for their kind: UIDs are still remapped, dates
 * still follow the longitudinal option. No tag here is named by Table E.1-1 (a test checks it): the
 * table always decides first. Grouped by the PS3.3 module or macro that defines them, one line per
 * attribute: `<tag> | <name>`.
 */
export const keepListSource = `
# SOP Common (PS3.3 C.12.1): what the object is and how its text is encoded
0008,0005 | Specific Character Set
0008,0016 | SOP Class UID
0020,0013 | Instance Number
0028,0303 | Longitudinal Temporal Information Modified
0008,0053 | Query/Retrieve View
# Patient Identity Removed and de-identification method (C.7.1.1): written by the engine itself
0012,0062 | Patient Identity Removed
0012,0063 | De-identification Method
0012,0064 | De-identification Method Code Sequence
# General Study (C.7.2.1): the coded procedure, vocabulary only
0008,1032 | Procedure Code Sequence
# General Series (C.7.3.1): structure of the series, no identity
0008,0060 | Modality
0020,0011 | Series Number
0020,0060 | Laterality
0018,5100 | Patient Position
0018,0015 | Body Part Examined
0010,2210 | Anatomical Orientation Type
0028,0108 | Smallest Pixel Value in Series
0028,0109 | Largest Pixel Value in Series
# Frame of Reference (C.7.4.1) and Synchronization (C.7.4.2)
0020,1040 | Position Reference Indicator
0018,106A | Synchronization Trigger
0018,1800 | Acquisition Time Synchronized
0018,1061 | Trigger Source or Type
# General Equipment (C.7.5.1): names a product, not a person; pixel rules and harmonisation need it
0008,0070 | Manufacturer
0008,1090 | Manufacturer's Model Name
0018,1020 | Software Versions
0018,1050 | Spatial Resolution
0028,0120 | Pixel Padding Value
0028,0121 | Pixel Padding Range Limit
# General Image (C.7.6.1)
0020,0020 | Patient Orientation
0008,0008 | Image Type
0020,0012 | Acquisition Number
0020,1002 | Images in Acquisition
0028,0300 | Quality Control Image
0028,0301 | Burned In Annotation
0028,0302 | Recognizable Visual Features
0028,2110 | Lossy Image Compression
0028,2112 | Lossy Image Compression Ratio
0028,2114 | Lossy Image Compression Method
2050,0020 | Presentation LUT Shape
0020,0062 | Image Laterality
# Image Plane (C.7.6.2)
0028,0030 | Pixel Spacing
0020,0037 | Image Orientation (Patient)
0020,0032 | Image Position (Patient)
0018,0050 | Slice Thickness
0018,0088 | Spacing Between Slices
0020,1041 | Slice Location
0028,0A02 | Pixel Spacing Calibration Type
# Image Pixel (C.7.6.3) and palette colour LUTs (C.7.9)
0028,0002 | Samples per Pixel
0028,0004 | Photometric Interpretation
0028,0010 | Rows
0028,0011 | Columns
0028,0100 | Bits Allocated
0028,0101 | Bits Stored
0028,0102 | High Bit
0028,0103 | Pixel Representation
0028,0006 | Planar Configuration
0028,0034 | Pixel Aspect Ratio
0028,0106 | Smallest Image Pixel Value
0028,0107 | Largest Image Pixel Value
0028,1101 | Red Palette Color Lookup Table Descriptor
0028,1102 | Green Palette Color Lookup Table Descriptor
0028,1103 | Blue Palette Color Lookup Table Descriptor
0028,1201 | Red Palette Color Lookup Table Data
0028,1202 | Green Palette Color Lookup Table Data
0028,1203 | Blue Palette Color Lookup Table Data
7FE0,0010 | Pixel Data
7FE0,0008 | Float Pixel Data
7FE0,0009 | Double Float Pixel Data
0028,2000 | ICC Profile
0028,2002 | Color Space
7FE0,0001 | Extended Offset Table
7FE0,0002 | Extended Offset Table Lengths
# Multi-frame and Cine (C.7.6.6, C.7.6.5)
0028,0008 | Number of Frames
0028,0009 | Frame Increment Pointer
0022,0028 | Stereo Pairs Present
0018,1063 | Frame Time
0018,1065 | Frame Time Vector
0008,2142 | Start Trim
0008,2143 | Stop Trim
0008,2144 | Recommended Display Frame Rate
0018,0040 | Cine Rate
0018,1066 | Frame Delay
0018,1242 | Actual Frame Duration
0018,1244 | Preferred Playback Sequencing
# Modality LUT, VOI LUT and presentation (C.11.1, C.11.2)
0028,1052 | Rescale Intercept
0028,1053 | Rescale Slope
0028,1054 | Rescale Type
0028,3000 | Modality LUT Sequence
0028,3002 | LUT Descriptor
0028,3006 | LUT Data
0028,3010 | VOI LUT Sequence
0028,1050 | Window Center
0028,1051 | Window Width
0028,1055 | Window Center & Width Explanation
0028,1056 | VOI LUT Function
0028,3003 | LUT Explanation
0008,0068 | Presentation Intent Type
0028,1040 | Pixel Intensity Relationship
0028,1041 | Pixel Intensity Relationship Sign
# Code Sequence Macro (Table 8.8-1): coded entries are vocabulary, not identity
0008,0100 | Code Value
0008,0102 | Coding Scheme Designator
0008,0103 | Coding Scheme Version
0008,0104 | Code Meaning
0008,0119 | Long Code Value
0008,0120 | URN Code Value
0008,0105 | Mapping Resource
0008,0118 | Mapping Resource UID
0008,0122 | Mapping Resource Name
0008,010F | Context Identifier
0008,0117 | Context UID
0008,010B | Context Group Extension Flag
0008,0121 | Equivalent Code Sequence
# Content Identification Macro (Table 10-12): Type 2 in SEG and other derived objects; kept text is still scanned for the header's identifying values
0070,0081 | Content Description
# SC Equipment (C.8.6.1)
0008,0064 | Conversion Type
# RT General Plan (C.8.8.9): plan geometry and the references that tie plan, structures and dose together
300A,000C | RT Plan Geometry
300C,0060 | Referenced Structure Set Sequence
300C,0002 | Referenced RT Plan Sequence
300C,0080 | Referenced Dose Sequence
300A,0055 | RT Plan Relationship
# Waveform and Waveform Annotation (C.10.9, C.10.10): channels, sampling and samples
5400,0100 | Waveform Sequence
0018,1068 | Multiplex Group Time Offset
0018,1069 | Trigger Time Offset
003A,0004 | Waveform Originality
003A,0005 | Number of Waveform Channels
003A,0010 | Number of Waveform Samples
003A,001A | Sampling Frequency
003A,0020 | Multiplex Group Label
003A,0200 | Channel Definition Sequence
003A,0202 | Waveform Channel Number
003A,0203 | Channel Label
003A,0205 | Channel Status
003A,0208 | Channel Source Sequence
003A,0209 | Channel Source Modifiers Sequence
003A,0210 | Channel Sensitivity
003A,0211 | Channel Sensitivity Units Sequence
003A,0212 | Channel Sensitivity Correction Factor
003A,0213 | Channel Baseline
003A,0214 | Channel Time Skew
003A,0215 | Channel Sample Skew
003A,0218 | Channel Offset
003A,021A | Waveform Bits Stored
003A,0220 | Filter Low Frequency
003A,0221 | Filter High Frequency
003A,0222 | Notch Filter Frequency
5400,1004 | Waveform Bits Allocated
5400,1006 | Waveform Sample Interpretation
5400,100A | Waveform Padding Value
5400,1010 | Waveform Data
0040,B020 | Waveform Annotation Sequence
0040,A0B0 | Referenced Waveform Channels
0040,A180 | Annotation Group Number
# Image and instance references (C.7.6.1.1, C.12.1.1.1)
0008,1150 | Referenced SOP Class UID
0008,1115 | Referenced Series Sequence
0008,114A | Referenced Instance Sequence
0040,A375 | Current Requested Procedure Evidence Sequence
0008,1160 | Referenced Frame Number
0062,000B | Referenced Segment Number
0040,A170 | Purpose of Reference Code Sequence
0028,135A | Spatial Locations Preserved
0008,9215 | Derivation Code Sequence
# Enhanced multi-frame structure (C.7.6.16, C.7.6.17): functional groups and dimensions
5200,9229 | Shared Functional Groups Sequence
5200,9230 | Per-frame Functional Groups Sequence
0020,9111 | Frame Content Sequence
0020,9156 | Frame Acquisition Number
0020,9056 | Stack ID
0020,9057 | In-Stack Position Number
0020,9128 | Temporal Position Index
0020,9157 | Dimension Index Values
0020,9113 | Plane Position Sequence
0020,9116 | Plane Orientation Sequence
0028,9110 | Pixel Measures Sequence
0028,9132 | Frame VOI LUT Sequence
0028,9145 | Pixel Value Transformation Sequence
0020,9221 | Dimension Organization Sequence
0020,9222 | Dimension Index Sequence
0020,9165 | Dimension Index Pointer
0020,9167 | Functional Group Pointer
0020,9311 | Dimension Organization Type
0008,9007 | Frame Type
0008,9205 | Pixel Presentation
0008,9206 | Volumetric Properties
0008,9207 | Volume Based Calculation Technique
0018,9004 | Content Qualification
0028,9444 | Geometrical Properties
0018,9220 | Frame Acquisition Duration
0018,9236 | Cardiac Cycle Position
0018,9214 | Respiratory Cycle Position
0020,930D | Temporal Position Time Offset
# CT Image (C.8.2.1): acquisition and reconstruction geometry
0018,0060 | KVP
0018,0090 | Data Collection Diameter
0018,1100 | Reconstruction Diameter
0018,1110 | Distance Source to Detector
0018,1111 | Distance Source to Patient
0018,1120 | Gantry/Detector Tilt
0018,1130 | Table Height
0018,1140 | Rotation Direction
0018,1150 | Exposure Time
0018,1151 | X-Ray Tube Current
0018,1152 | Exposure
0018,1153 | Exposure in uAs
0018,1160 | Filter Type
0018,1170 | Generator Power
0018,1190 | Focal Spot(s)
0018,1210 | Convolution Kernel
0018,9305 | Revolution Time
0018,9306 | Single Collimation Width
0018,9307 | Total Collimation Width
0018,9309 | Table Speed
0018,9310 | Table Feed per Rotation
0018,9311 | Spiral Pitch Factor
0018,9345 | CTDIvol
0018,9323 | Exposure Modulation Type
0018,9313 | Data Collection Center (Patient)
0018,9318 | Reconstruction Target Center (Patient)
0018,9351 | Calcium Scoring Mass Factor Patient
0018,9352 | Calcium Scoring Mass Factor Device
0018,9324 | Estimated Dose Saving
# MR Image (C.8.3.1) and MR diffusion: sequence parameters
0018,0020 | Scanning Sequence
0018,9005 | Pulse Sequence Name
0018,9100 | Resonant Nucleus
0018,0021 | Sequence Variant
0018,0022 | Scan Options
0018,0023 | MR Acquisition Type
0018,0024 | Sequence Name
0018,0025 | Angio Flag
0018,0080 | Repetition Time
0018,0081 | Echo Time
0018,0082 | Inversion Time
0018,0083 | Number of Averages
0018,0084 | Imaging Frequency
0018,0085 | Imaged Nucleus
0018,0086 | Echo Number(s)
0018,0087 | Magnetic Field Strength
0018,0089 | Number of Phase Encoding Steps
0018,0091 | Echo Train Length
0018,0093 | Percent Sampling
0018,0094 | Percent Phase Field of View
0018,0095 | Pixel Bandwidth
0018,1060 | Trigger Time
0018,1062 | Nominal Interval
0018,1088 | Heart Rate
0018,1090 | Cardiac Number of Images
0018,1250 | Receive Coil Name
0018,1251 | Transmit Coil Name
0018,1310 | Acquisition Matrix
0018,1312 | In-plane Phase Encoding Direction
0018,1314 | Flip Angle
0018,1315 | Variable Flip Angle Flag
0018,1316 | SAR
0018,1318 | dB/dt
0018,9087 | Diffusion b-value
0018,9089 | Diffusion Gradient Orientation
0018,9075 | Diffusion Directionality
0018,9117 | MR Diffusion Sequence
0018,9076 | Diffusion Gradient Direction Sequence
# PET Series, PET Image and NM (C.8.9, C.8.4): quantitation needs them
0054,1001 | Units
0054,1002 | Counts Source
0054,1000 | Series Type
0028,0051 | Corrected Image
0054,1100 | Randoms Correction Method
0054,1102 | Decay Correction
0054,1103 | Reconstruction Method
0054,1101 | Attenuation Correction Method
0054,1105 | Scatter Correction Method
0054,1200 | Axial Acceptance
0054,1201 | Axial Mash
0054,1300 | Frame Reference Time
0054,1310 | Primary (Prompts) Counts Accumulated
0054,1320 | Slice Sensitivity Factor
0054,1321 | Decay Factor
0054,1322 | Dose Calibration Factor
0054,1323 | Scatter Fraction Factor
0054,1324 | Dead Time Factor
0054,1330 | Image Index
0054,0081 | Number of Slices
0054,0101 | Number of Time Slices
0054,0016 | Radiopharmaceutical Information Sequence
0018,0031 | Radiopharmaceutical
0018,1074 | Radionuclide Total Dose
0018,1075 | Radionuclide Half Life
0018,1076 | Radionuclide Positron Fraction
0054,0300 | Radionuclide Code Sequence
0054,0304 | Radiopharmaceutical Code Sequence
0054,0013 | Energy Window Range Sequence
0054,0014 | Energy Window Lower Limit
0054,0015 | Energy Window Upper Limit
0054,0012 | Energy Window Information Sequence
0054,0414 | Patient Gantry Relationship Code Sequence
0018,1181 | Collimator Type
0054,0021 | Number of Detectors
0054,0051 | Number of Rotations
0054,0011 | Number of Energy Windows
0054,0010 | Energy Window Vector
0054,0020 | Detector Vector
0054,0030 | Phase Vector
0054,0050 | Rotation Vector
0054,0080 | Slice Vector
0054,0070 | Time Slot Vector
0054,0060 | R-R Interval Vector
0018,0070 | Counts Accumulated
0018,0071 | Acquisition Termination Condition
0018,1243 | Count Rate
0018,1131 | Table Traverse
0018,1300 | Scan Velocity
0018,1301 | Whole Body Technique
0018,1302 | Scan Length
# RT Dose (C.8.8.3): units, scaling and the frame geometry of the dose grid
3004,0002 | Dose Units
3004,0004 | Dose Type
3004,000A | Dose Summation Type
3004,000C | Grid Frame Offset Vector
3004,000E | Dose Grid Scaling
3004,0014 | Tissue Heterogeneity Correction
3004,0008 | Normalization Point
# Ultrasound (C.8.5.5, C.8.5.6): calibrated regions
0028,0014 | Ultrasound Color Data Present
0018,6011 | Sequence of Ultrasound Regions
0018,6012 | Region Spatial Format
0018,6014 | Region Data Type
0018,6016 | Region Flags
0018,6018 | Region Location Min X0
0018,601A | Region Location Min Y0
0018,601C | Region Location Max X1
0018,601E | Region Location Max Y1
0018,6020 | Reference Pixel X0
0018,6022 | Reference Pixel Y0
0018,6024 | Physical Units X Direction
0018,6026 | Physical Units Y Direction
0018,6028 | Reference Pixel Physical Value X
0018,602A | Reference Pixel Physical Value Y
0018,602C | Physical Delta X
0018,602E | Physical Delta Y
0018,6030 | Transducer Frequency
0008,2124 | Number of Stages
0008,2122 | Stage Number
0008,212A | Number of Views in Stage
0008,2128 | View Number
# X-Ray, XA, CR, DX and MG acquisition (C.8.7, C.8.8, C.8.11): geometry and exposure
0018,1510 | Positioner Primary Angle
0018,1511 | Positioner Secondary Angle
0018,1500 | Positioner Motion
0018,1164 | Imager Pixel Spacing
0018,1114 | Estimated Radiographic Magnification Factor
0018,1147 | Field of View Shape
0018,1149 | Field of View Dimension(s)
0018,1162 | Intensifier Size
0018,1155 | Radiation Setting
0018,1600 | Shutter Shape
0018,5101 | View Position
0018,7004 | Detector Type
0018,7005 | Detector Configuration
0018,6000 | Sensitivity
0018,1166 | Grid
0018,11A0 | Body Part Thickness
0018,11A2 | Compression Force
0018,1191 | Anode Target Material
0018,7050 | Filter Material
0018,1411 | Exposure Index
0018,1412 | Target Exposure Index
0018,1413 | Deviation Index
0018,1405 | Relative X-Ray Exposure
0054,0220 | View Code Sequence
0054,0222 | View Modifier Code Sequence
0054,0410 | Patient Orientation Code Sequence
0054,0412 | Patient Orientation Modifier Code Sequence
0008,2218 | Anatomic Region Sequence
0008,2220 | Anatomic Region Modifier Sequence
0018,1508 | Positioner Type
0018,7030 | Field of View Origin
0018,7032 | Field of View Rotation
0018,7034 | Field of View Horizontal Flip
0018,701A | Detector Binning
0018,7022 | Detector Element Spacing
0018,7060 | Exposure Control Mode
0040,0316 | Organ Dose
0040,8302 | Entrance Dose in mGy
0040,0314 | Half Value Layer
0040,0306 | Distance Source to Entrance
# Segmentation (C.8.20): segments and their coded properties
0062,0001 | Segmentation Type
0062,0010 | Segmentation Fractional Type
0062,000E | Maximum Fractional Value
0062,0002 | Segment Sequence
0062,0004 | Segment Number
0062,0005 | Segment Label
0062,0006 | Segment Description
0062,0008 | Segment Algorithm Type
0062,0009 | Segment Algorithm Name
0062,0003 | Segmented Property Category Code Sequence
0062,000F | Segmented Property Type Code Sequence
0062,0011 | Segmented Property Type Modifier Code Sequence
0062,000D | Recommended Display CIELab Value
0062,000C | Recommended Display Grayscale Value
0062,000A | Segment Identification Sequence
0008,9124 | Derivation Image Sequence
0070,0080 | Content Label
# SR Document Content (C.17.3): content item structure and values
0040,A372 | Performed Procedure Code Sequence
0040,A040 | Value Type
0040,A010 | Relationship Type
0040,A043 | Concept Name Code Sequence
0040,A168 | Concept Code Sequence
0040,A050 | Continuity Of Content
0040,A504 | Content Template Sequence
0040,DB00 | Template Identifier
0040,A300 | Measured Value Sequence
0040,A30A | Numeric Value
0040,A161 | Floating Point Value
0040,A162 | Rational Numerator Value
0040,A163 | Rational Denominator Value
0040,08EA | Measurement Units Code Sequence
0040,A301 | Numeric Value Qualifier Code Sequence
0040,DB73 | Referenced Content Item Identifier
0040,A491 | Completion Flag
0040,A493 | Verification Flag
0040,A496 | Preliminary Flag
0070,0023 | Graphic Type
0070,0022 | Graphic Data
0008,1199 | Referenced SOP Sequence
0040,A130 | Temporal Range Type
0040,A132 | Referenced Sample Positions
0040,A138 | Referenced Time Offsets
# RT Structure Set and RT ROI Observations (C.8.8.5, C.8.8.8): ROI geometry
3006,0022 | ROI Number
3006,0084 | Referenced ROI Number
3006,0036 | ROI Generation Algorithm
3006,002A | ROI Display Color
3006,0040 | Contour Sequence
3006,0042 | Contour Geometric Type
3006,0046 | Number of Contour Points
3006,0050 | Contour Data
3006,0039 | ROI Contour Sequence
3006,00A4 | RT ROI Interpreted Type
3006,0082 | Observation Number
`;

export interface KeepListEntry {
  tag: number;
  /** `gggg,eeee` as written in the list. */
  key: string;
  name: string;
  /** The module heading the attribute is listed under. */
  module: string;
}

export function parseKeepList(source: string = keepListSource): KeepListEntry[] {
  const entries: KeepListEntry[] = [];
  let module = '';
  for (const line of source.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('# ')) {
      module = line.slice(2).trim();
      continue;
    }
    const [key = '', name = ''] = line.split(' | ');
    if (!/^[0-9A-F]{4},[0-9A-F]{4}$/.test(key.trim()) || !module)
      throw new Error(`bad keep-list line: ${line}`);
    entries.push({
      tag: parseInt(key.replace(',', ''), 16) >>> 0,
      key: key.trim(),
      name: name.trim(),
      module,
    });
  }
  return entries;
}

/** The keep-list as tag numbers, for the engine's per-element lookup. */
export const keepListTags: ReadonlySet<number> = new Set(parseKeepList().map((entry) => entry.tag));
