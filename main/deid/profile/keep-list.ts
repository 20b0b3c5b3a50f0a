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
# RT Structure Set (C.8.8.5): the structure set's frame of reference, images and ROIs; without them ROIs lose their links
3006,0010 | Referenced Frame of Reference Sequence
3006,0012 | RT Referenced Study Sequence
3006,0014 | RT Referenced Series Sequence
3006,0016 | Contour Image Sequence
3006,0018 | Predecessor Structure Set Sequence
3006,0020 | Structure Set ROI Sequence
3006,002C | ROI Volume
# ROI Contour (C.8.8.6): contour geometry
3006,0048 | Contour Number
3006,0049 | Attached Contours
3006,0044 | Contour Slab Thickness
3006,0045 | Contour Offset Vector
# RT ROI Observations (C.8.8.8): what each ROI is and its physical properties
3006,0080 | RT ROI Observations Sequence
3006,0030 | RT Related ROI Sequence
3006,0033 | RT ROI Relationship
3006,0086 | RT ROI Identification Code Sequence
3006,00B0 | ROI Physical Properties Sequence
3006,00B2 | ROI Physical Property
3006,00B4 | ROI Physical Property Value
3006,00B6 | ROI Elemental Composition Sequence
3006,00B7 | ROI Elemental Composition Atomic Number
3006,00B8 | ROI Elemental Composition Atomic Mass Fraction
3006,00A0 | Related RT ROI Observations Sequence
# RT Dose and DVH (C.8.8.3, C.8.8.4): plan references and dose-volume histograms
300C,0020 | Referenced Fraction Group Sequence
300C,0022 | Referenced Fraction Group Number
300C,0004 | Referenced Beam Sequence
300C,0006 | Referenced Beam Number
300C,00F2 | Referenced Control Point Sequence
300C,00F4 | Referenced Start Control Point Index
300C,00F6 | Referenced Stop Control Point Index
300C,000A | Referenced Brachy Application Setup Sequence
300C,000C | Referenced Brachy Application Setup Number
3004,0050 | DVH Sequence
3004,0001 | DVH Type
3004,0052 | DVH Dose Scaling
3004,0054 | DVH Volume Units
3004,0056 | DVH Number of Bins
3004,0058 | DVH Data
3004,0060 | DVH Referenced ROI Sequence
3004,0062 | DVH ROI Contribution Type
3004,0070 | DVH Minimum Dose
3004,0072 | DVH Maximum Dose
3004,0074 | DVH Mean Dose
3004,0040 | DVH Normalization Point
3004,0042 | DVH Normalization Dose Value
# RT Prescription and Tolerance Tables (C.8.8.10, C.8.8.11)
300A,0010 | Dose Reference Sequence
300A,0012 | Dose Reference Number
300A,0014 | Dose Reference Structure Type
300A,0018 | Dose Reference Point Coordinates
300A,001A | Nominal Prior Dose
300A,0020 | Dose Reference Type
300A,0021 | Constraint Weight
300A,0022 | Delivery Warning Dose
300A,0023 | Delivery Maximum Dose
300A,0025 | Target Minimum Dose
300A,0026 | Target Prescription Dose
300A,0027 | Target Maximum Dose
300A,0028 | Target Underdose Volume Fraction
300A,002A | Organ at Risk Full-volume Dose
300A,002B | Organ at Risk Limit Dose
300A,002C | Organ at Risk Maximum Dose
300A,002D | Organ at Risk Overdose Volume Fraction
300A,0040 | Tolerance Table Sequence
300A,0042 | Tolerance Table Number
300A,0044 | Gantry Angle Tolerance
300A,0046 | Beam Limiting Device Angle Tolerance
300A,0048 | Beam Limiting Device Tolerance Sequence
300A,004A | Beam Limiting Device Position Tolerance
300A,004C | Patient Support Angle Tolerance
300A,004E | Table Top Eccentric Angle Tolerance
300A,0051 | Table Top Vertical Position Tolerance
300A,0052 | Table Top Longitudinal Position Tolerance
300A,0053 | Table Top Lateral Position Tolerance
300C,00A0 | Referenced Tolerance Table Number
# RT Patient Setup (C.8.8.12)
300A,0180 | Patient Setup Sequence
300A,0182 | Patient Setup Number
300A,0190 | Fixation Device Sequence
300A,0192 | Fixation Device Type
300A,01A0 | Shielding Device Sequence
300A,01A2 | Shielding Device Type
300A,01B0 | Setup Technique
300A,01D2 | Table Top Vertical Setup Displacement
300A,01D4 | Table Top Longitudinal Setup Displacement
300A,01D6 | Table Top Lateral Setup Displacement
300C,006A | Referenced Patient Setup Number
# RT Fraction Scheme (C.8.8.13)
300A,0070 | Fraction Group Sequence
300A,0071 | Fraction Group Number
300A,0078 | Number of Fractions Planned
300A,0079 | Number of Fraction Pattern Digits Per Day
300A,007A | Repeat Fraction Cycle Length
300A,007B | Fraction Pattern
300A,0080 | Number of Beams
300A,0082 | Beam Dose Specification Point
300A,0084 | Beam Dose
300A,0086 | Beam Meterset
300A,00A0 | Number of Brachy Application Setups
300C,0050 | Referenced Dose Reference Sequence
300C,0051 | Referenced Dose Reference Number
# RT Beams (C.8.8.14): beams, beam limiting devices, accessories and control points
300A,00B0 | Beam Sequence
300A,00B3 | Primary Dosimeter Unit
300A,00B4 | Source-Axis Distance
300A,00B6 | Beam Limiting Device Sequence
300A,00B8 | RT Beam Limiting Device Type
300A,00BA | Source to Beam Limiting Device Distance
300A,00BB | Isocenter to Beam Limiting Device Distance
300A,00BC | Number of Leaf/Jaw Pairs
300A,00BE | Leaf Position Boundaries
300A,00C0 | Beam Number
300A,00C2 | Beam Name
300A,00C4 | Beam Type
300A,00C6 | Radiation Type
300A,00C7 | High-Dose Technique Type
300A,00C8 | Reference Image Number
300A,00CE | Treatment Delivery Type
300A,00D0 | Number of Wedges
300A,00D1 | Wedge Sequence
300A,00D2 | Wedge Number
300A,00D3 | Wedge Type
300A,00D5 | Wedge Angle
300A,00D6 | Wedge Factor
300A,00D8 | Wedge Orientation
300A,00DA | Source to Wedge Tray Distance
300A,00E0 | Number of Compensators
300A,00E3 | Compensator Sequence
300A,00E4 | Compensator Number
300A,00EE | Compensator Type
300A,00ED | Number of Boli
300A,00F0 | Number of Blocks
300A,00F2 | Total Block Tray Factor
300A,00F4 | Block Sequence
300A,00F6 | Source to Block Tray Distance
300A,00F8 | Block Type
300A,00FA | Block Divergence
300A,00FC | Block Number
300A,0100 | Block Thickness
300A,0104 | Block Number of Points
300A,0106 | Block Data
300A,0107 | Applicator Sequence
300A,0109 | Applicator Type
300A,010C | Cumulative Dose Reference Coefficient
300A,010E | Final Cumulative Meterset Weight
300A,0110 | Number of Control Points
300A,0111 | Control Point Sequence
300A,0112 | Control Point Index
300A,0114 | Nominal Beam Energy
300A,0115 | Dose Rate Set
300A,011A | Beam Limiting Device Position Sequence
300A,011C | Leaf/Jaw Positions
300A,011E | Gantry Angle
300A,011F | Gantry Rotation Direction
300A,0120 | Beam Limiting Device Angle
300A,0121 | Beam Limiting Device Rotation Direction
300A,0122 | Patient Support Angle
300A,0123 | Patient Support Rotation Direction
300A,0124 | Table Top Eccentric Axis Distance
300A,0125 | Table Top Eccentric Angle
300A,0126 | Table Top Eccentric Rotation Direction
300A,0128 | Table Top Vertical Position
300A,0129 | Table Top Longitudinal Position
300A,012A | Table Top Lateral Position
300A,012C | Isocenter Position
300A,012E | Surface Entry Point
300A,0130 | Source to Surface Distance
300A,0134 | Cumulative Meterset Weight
300A,0140 | Table Top Pitch Angle
300A,0142 | Table Top Pitch Rotation Direction
300A,0144 | Table Top Roll Angle
300A,0146 | Table Top Roll Rotation Direction
300A,014A | Gantry Pitch Angle
300A,014C | Gantry Pitch Rotation Direction
300C,00B0 | Referenced Bolus Sequence
300C,00C0 | Referenced Wedge Number
300C,00D0 | Referenced Compensator Number
300C,00E0 | Referenced Block Number
300C,00F0 | Referenced Control Point Index
300C,0042 | Referenced Reference Image Sequence
300C,0007 | Referenced Reference Image Number
# Approval (C.8.8.16)
300E,0002 | Approval Status
# Enhanced multi-frame macros (C.7.6.16.2): anatomy, contrast, synchronization, real-world values
0020,9071 | Frame Anatomy Sequence
0020,9072 | Frame Laterality
0020,9421 | Dimension Description Label
0018,9341 | Contrast/Bolus Usage Sequence
0018,9337 | Contrast/Bolus Agent Number
0018,9342 | Contrast/Bolus Agent Administered
0018,9343 | Contrast/Bolus Agent Detected
0018,9344 | Contrast/Bolus Agent Phase
0018,9118 | Cardiac Synchronization Sequence
0020,9153 | Nominal Cardiac Trigger Delay Time
0018,9037 | Cardiac Synchronization Technique
0018,9085 | Cardiac Signal Source
0018,9070 | Cardiac R-R Interval Specified
0018,9169 | Cardiac Beat Rejection Technique
0020,9253 | Respiratory Synchronization Sequence
0018,9170 | Respiratory Motion Compensation Technique
0018,9171 | Respiratory Signal Source
0040,9096 | Real World Value Mapping Sequence
0040,9224 | Real World Value Intercept
0040,9225 | Real World Value Slope
0040,9216 | Real World Value First Value Mapped
0040,9211 | Real World Value Last Value Mapped
0040,9210 | LUT Label
0018,9477 | Irradiation Event Identification Sequence
0028,9415 | Frame Pixel Shift Sequence
0028,9416 | Subtraction Item ID
0028,6114 | Mask Sub-pixel Shift
0008,1200 | Studies Containing Other Referenced Instances Sequence
# Enhanced CT Image (C.8.15): the CT functional group macros
0018,9073 | Acquisition Duration
0018,9301 | CT Acquisition Type Sequence
0018,9302 | Acquisition Type
0018,9303 | Tube Angle
0018,9333 | Constant Volume Flag
0018,9334 | Fluoroscopy Flag
0018,9304 | CT Acquisition Details Sequence
0018,9308 | CT Table Dynamics Sequence
0018,9312 | CT Geometry Sequence
0018,9335 | Distance Source to Data Collection Center
0018,9314 | CT Reconstruction Sequence
0018,9315 | Reconstruction Algorithm
0018,9316 | Convolution Kernel Group
0018,9317 | Reconstruction Field of View
0018,9322 | Reconstruction Pixel Spacing
0018,9319 | Reconstruction Angle
0018,9320 | Image Filter
0018,9321 | CT Exposure Sequence
0018,9328 | Exposure Time in ms
0018,9330 | X-Ray Tube Current in mA
0018,9332 | Exposure in mAs
0018,9346 | CTDI Phantom Type Code Sequence
0018,9325 | CT X-Ray Details Sequence
0018,9326 | CT Position Sequence
0018,9327 | Table Position
0018,9329 | CT Image Frame Type Sequence
# Enhanced MR Image (C.8.13): the MR functional group macros and pulse sequence
0008,9208 | Complex Image Component
0008,9209 | Acquisition Contrast
0018,9064 | k-space Filtering
0018,9174 | Applicable Safety Standard Agency
0018,9226 | MR Image Frame Type Sequence
0018,9112 | MR Timing and Related Parameters Sequence
0018,9240 | RF Echo Train Length
0018,9241 | Gradient Echo Train Length
0018,9239 | Specific Absorption Rate Sequence
0018,9179 | Specific Absorption Rate Definition
0018,9181 | Specific Absorption Rate Value
0018,9180 | Gradient Output Type
0018,9182 | Gradient Output
0018,9176 | Operating Mode Sequence
0018,9177 | Operating Mode Type
0018,9178 | Operating Mode
0018,9125 | MR FOV/Geometry Sequence
0018,9058 | MR Acquisition Frequency Encoding Steps
0018,9231 | MR Acquisition Phase Encoding Steps in-plane
0018,9232 | MR Acquisition Phase Encoding Steps out-of-plane
0018,9114 | MR Echo Sequence
0018,9082 | Effective Echo Time
0018,9115 | MR Modifier Sequence
0018,9009 | Inversion Recovery
0018,9079 | Inversion Times
0018,9010 | Flow Compensation
0018,9183 | Flow Compensation Direction
0018,9016 | Spoiling
0018,9021 | T2 Preparation
0018,9026 | Spectrally Selected Excitation
0018,9027 | Spatial Pre-saturation
0018,9081 | Partial Fourier
0018,9036 | Partial Fourier Direction
0018,9077 | Parallel Acquisition
0018,9078 | Parallel Acquisition Technique
0018,9069 | Parallel Reduction Factor In-plane
0018,9155 | Parallel Reduction Factor out-of-plane
0018,9168 | Parallel Reduction Factor Second In-plane
0018,9006 | MR Imaging Modifier Sequence
0018,9020 | Magnetization Transfer
0018,9022 | Blood Signal Nulling
0018,9028 | Tagging
0018,9030 | Tag Spacing First Dimension
0018,9019 | Tag Angle First Axis
0018,9184 | Tagging Delay
0018,9098 | Transmitter Frequency
0018,9053 | Chemical Shift Reference
0018,9054 | Volume Localization Technique
0018,9059 | De-coupling
0018,9060 | De-coupled Nucleus
0018,9061 | De-coupling Frequency
0018,9062 | De-coupling Method
0018,9042 | MR Receive Coil Sequence
0018,9041 | Receive Coil Manufacturer Name
0018,9043 | Receive Coil Type
0018,9044 | Quadrature Receive Coil
0018,9045 | Multi-Coil Definition Sequence
0018,9046 | Multi-Coil Configuration
0018,9047 | Multi-Coil Element Name
0018,9048 | Multi-Coil Element Used
0018,9049 | MR Transmit Coil Sequence
0018,9050 | Transmit Coil Manufacturer Name
0018,9051 | Transmit Coil Type
0018,9119 | MR Averages Sequence
0018,9008 | Echo Pulse Sequence
0018,9011 | Multiple Spin Echo
0018,9012 | Multi-planar Excitation
0018,9014 | Phase Contrast
0018,9015 | Time of Flight Contrast
0018,9250 | Arterial Spin Labeling Contrast
0018,9017 | Steady State Pulse Sequence
0018,9018 | Echo Planar Pulse Sequence
0018,9024 | Saturation Recovery
0018,9025 | Spectrally Selected Suppression
0018,9029 | Oversampling Phase
0018,9032 | Geometry of k-Space Traversal
0018,9034 | Rectilinear Phase Encode Reordering
0018,9033 | Segmented k-Space Traversal
0018,9094 | Coverage of k-Space
0018,9093 | Number of k-Space Trajectories
0018,9107 | MR Spatial Saturation Sequence
0018,9104 | Slab Thickness
0018,9105 | Slab Orientation
0018,9106 | Mid Slab Position
0018,9197 | MR Velocity Encoding Sequence
0018,9090 | Velocity Encoding Direction
0018,9091 | Velocity Encoding Minimum Value
0018,9217 | Velocity Encoding Maximum Value
0018,9147 | Diffusion Anisotropy Type
# Presentation states (C.11.8-C.11.13, C.10.4): displayed area, graphic annotations and layers, spatial transformation, softcopy VOI/presentation LUT, shutters
0070,005A | Displayed Area Selection Sequence
0070,0052 | Displayed Area Top Left Hand Corner
0070,0053 | Displayed Area Bottom Right Hand Corner
0070,0100 | Presentation Size Mode
0070,0101 | Presentation Pixel Spacing
0070,0102 | Presentation Pixel Aspect Ratio
0070,0103 | Presentation Pixel Magnification Ratio
0070,0002 | Graphic Layer
0070,0003 | Bounding Box Annotation Units
0070,0004 | Anchor Point Annotation Units
0070,0005 | Graphic Annotation Units
0070,0008 | Text Object Sequence
0070,0009 | Graphic Object Sequence
0070,0010 | Bounding Box Top Left Hand Corner
0070,0011 | Bounding Box Bottom Right Hand Corner
0070,0012 | Bounding Box Text Horizontal Justification
0070,0014 | Anchor Point
0070,0015 | Anchor Point Visibility
0070,0020 | Graphic Dimensions
0070,0021 | Number of Graphic Points
0070,0024 | Graphic Filled
0070,0209 | Compound Graphic Sequence
0070,0295 | Graphic Group ID
0070,0234 | Graphic Group Sequence
0070,0231 | Text Style Sequence
0070,0232 | Line Style Sequence
0070,0233 | Fill Style Sequence
0070,0041 | Image Horizontal Flip
0070,0042 | Image Rotation
0070,0060 | Graphic Layer Sequence
0070,0062 | Graphic Layer Order
0070,0066 | Graphic Layer Recommended Display Grayscale Value
0070,0401 | Graphic Layer Recommended Display CIELab Value
0070,0068 | Graphic Layer Description
0028,3110 | Softcopy VOI LUT Sequence
2050,0010 | Presentation LUT Sequence
0018,1602 | Shutter Left Vertical Edge
0018,1604 | Shutter Right Vertical Edge
0018,1606 | Shutter Upper Horizontal Edge
0018,1608 | Shutter Lower Horizontal Edge
0018,1610 | Center of Circular Shutter
0018,1612 | Radius of Circular Shutter
0018,1620 | Vertices of the Polygonal Shutter
0018,1622 | Shutter Presentation Value
0018,1624 | Shutter Presentation Color CIELab Value
0028,6100 | Mask Subtraction Sequence
0028,6101 | Mask Operation
0028,6102 | Applicable Frame Range
0028,6110 | Mask Frame Numbers
# SR and Key Object Selection documents (C.17.2, C.17.6): coding schemes and document references
0008,0110 | Coding Scheme Identification Sequence
0008,010C | Coding Scheme UID
0008,0115 | Coding Scheme Name
0008,0116 | Coding Scheme Responsible Organization
0040,A360 | Predecessor Documents Sequence
0040,A525 | Identical Documents Sequence
0040,A385 | Pertinent Other Evidence Sequence
0040,A136 | Referenced Frame Numbers
# Segmentation, additional (C.8.20.2)
0062,0013 | Segments Overlap
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
