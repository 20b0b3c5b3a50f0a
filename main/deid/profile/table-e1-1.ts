/**
 * PS3.15 Table E.1-1 "Application Level Confidentiality Profile Attributes", as data.
 *
 * One line per row of the standard: `<tag> <basic action> [<option>=<action> …] | <name>`.
 * Option keys are the table's columns: priv (Retain Safe Private), uid (Retain UIDs),
 * dev (Retain Device Identity), inst (Retain Institution Identity), pat (Retain Patient
 * Characteristics), full (Retain Longitudinal Temporal Information Full Dates), mod (… Modified
 * Dates), desc (Clean Descriptors), struct (Clean Structured Content), graph (Clean Graphics).
 * Repeating groups use `xx` (e.g. `60xx,3000`). Transcribed from the standard's table; keep the
 * lines in the standard's (alphabetical) order so a diff against a new edition stays readable.
 */
export const tableE11Source = `
0008,0050 Z | Accession Number
0018,4000 X desc=C | Acquisition Comments
0040,0555 X struct=C | Acquisition Context Sequence
0008,0022 X/Z full=K mod=C | Acquisition Date
0008,002A X/D full=K mod=C | Acquisition DateTime
0018,1400 X/D dev=K desc=C | Acquisition Device Processing Description
0018,9424 X desc=C | Acquisition Protocol Description
0018,9423 X/D desc=C | Acquisition Protocol Name
0008,0032 X/Z full=K mod=C | Acquisition Time
0008,0017 U uid=K | Acquisition UID
0040,4035 X | Actual Human Performers Sequence
0010,21B0 X pat=C desc=C | Additional Patient History
0040,A353 X | Address (Trial)
0038,0010 X | Admission ID
0038,0020 X full=K mod=C | Admitting Date
0008,1084 X pat=C struct=C | Admitting Diagnoses Code Sequence
0008,1080 X pat=C desc=C | Admitting Diagnoses Description
0038,0021 X full=K mod=C | Admitting Time
0000,1000 X uid=K | Affected SOP Instance UID
0010,2110 X pat=C desc=C | Allergies
0044,0004 X full=K mod=C | Approval Status DateTime
4000,0010 X | Arbitrary
0044,0104 X full=K mod=C | Assertion DateTime
0044,0105 X full=K mod=C | Assertion Expiration DateTime
0400,0562 X full=K mod=C | Attribute Modification DateTime
0040,A078 X | Author Observer Sequence
2200,0005 X | Barcode Value
300A,00C3 X desc=C | Beam Description
300C,0127 X full=K mod=C | Beam Hold Transition DateTime
300A,00DD X desc=C | Bolus Description
0010,1081 X | Branch of Service
0014,407E X full=K mod=C | Calibration Date
0018,1203 X full=K mod=C | Calibration DateTime
0014,407C X full=K mod=C | Calibration Time
0016,004D X | Camera Owner Name
0018,1007 X dev=K | Cassette ID
0400,0115 Z | Certificate of Signer
0400,0310 X | Certified Timestamp
0012,0060 Z | Clinical Trial Coordinating Center Name
0012,0082 X | Clinical Trial Protocol Ethics Committee Approval Number
0012,0081 D | Clinical Trial Protocol Ethics Committee Name
0012,0020 D | Clinical Trial Protocol ID
0012,0021 Z | Clinical Trial Protocol Name
0012,0072 X desc=C | Clinical Trial Series Description
0012,0071 X | Clinical Trial Series ID
0012,0030 Z | Clinical Trial Site ID
0012,0031 Z | Clinical Trial Site Name
0012,0010 D | Clinical Trial Sponsor Name
0012,0040 D | Clinical Trial Subject ID
0012,0042 D | Clinical Trial Subject Reading ID
0012,0051 X desc=C | Clinical Trial Time Point Description
0012,0050 Z | Clinical Trial Time Point ID
0040,0310 X desc=C | Comments on Radiation Dose
0020,9161 U uid=K | Concatenation UID
3010,0006 U uid=K | Conceptual Volume UID
0008,009D X | Consulting Physician Identification Sequence
0008,009C X | Consulting Physician's Name
0050,001B X dev=K | Container Component ID
0040,051A X desc=C | Container Description
0040,0512 D | Container Identifier
0070,0086 X | Content Creator's Identification Code Sequence
0070,0084 Z | Content Creator's Name
0008,0023 Z/D full=K mod=C | Content Date
0070,0081 X desc=C | Content Description
0040,A730 X struct=C | Content Sequence
0008,0033 Z/D full=K mod=C | Content Time
0008,010D U uid=K | Context Group Extension Creator UID
0018,0010 Z/D desc=C | Contrast/Bolus Agent
0018,A002 X full=K mod=C | Contribution DateTime
0018,A003 X desc=C | Contribution Description
0010,2150 X | Country of Residence
2100,0040 X full=K mod=C | Creation Date
2100,0050 X full=K mod=C | Creation Time
0008,9123 U uid=K | Creator-Version UID
0040,A307 X | Current Observer (Trial)
0038,0300 X | Current Patient Location
50xx,xxxx X graph=C | Curve Data
0008,0025 X full=K mod=C | Curve Date
0008,0035 X full=K mod=C | Curve Time
0040,A07C X | Custodial Organization Sequence
FFFC,FFFC X | Data Set Trailing Padding
0040,A121 D full=K mod=C | Date
0040,A110 X full=K mod=C | Date of Document or Verbal Transaction (Trial)
0018,1200 X full=K mod=C | Date of Last Calibration
0018,700C X full=K mod=C | Date of Last Detector Calibration
0018,1012 X full=K mod=C | Date of Secondary Capture
0040,A120 D full=K mod=C | DateTime
0018,1202 X full=K mod=C | DateTime of Last Calibration
0018,9701 X full=K mod=C | Decay Correction DateTime
0008,2111 X desc=C | Derivation Description
0018,700A X/D dev=K | Detector ID
0050,0020 X dev=K desc=C | Device Description
0018,1000 X/Z/D dev=K | Device Serial Number
0018,1002 U uid=K dev=K | Device UID
0400,0100 X uid=K | Digital Signature UID
FFFA,FFFA X | Digital Signatures Sequence
0020,9164 U uid=K | Dimension Organization UID
0038,0040 X pat=C desc=C | Discharge Diagnosis Description
4008,011A X | Distribution Address
4008,0119 X | Distribution Name
300A,0016 X desc=C | Dose Reference Description
300A,0013 U uid=K | Dose Reference UID
3010,006E U uid=K | Dosimetric Objective UID
0400,0500 X | Encrypted Attributes Sequence
0018,9517 X full=K mod=C | End Acquisition DateTime
3010,0037 X desc=C | Entity Description
3010,0035 D desc=C | Entity Label
3010,0038 D desc=C | Entity Long Label
3010,0036 X desc=C | Entity Name
300A,0676 X desc=C | Equipment Frame of Reference Description
0010,2160 X pat=K | Ethnic Group
0018,9804 X full=K mod=C | Exclusion Start DateTime
0040,4011 X full=K mod=C | Expected Completion DateTime
0008,0058 U uid=K | Failed SOP Instance UID List
0070,031A U uid=K | Fiducial UID
0040,2017 Z | Filler Order Number / Imaging Service Request
3008,0054 X full=K mod=C | First Treatment Date
0018,9074 X full=K mod=C | Frame Acquisition DateTime
0020,9158 X desc=C | Frame Comments
0020,0052 U uid=K | Frame of Reference UID
0034,0007 X full=K mod=C | Frame Origin Timestamp
0018,9151 X full=K mod=C | Frame Reference DateTime
0018,9623 X full=K mod=C | Functional Sync Pulse
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
0072,000A X full=K mod=C | Hanging Protocol Creation DateTime
0040,E004 X full=K mod=C | HL7 Document Effective Time
0040,4037 X | Human Performer's Name
0040,4036 X | Human Performer's Organization
0088,0200 X | Icon Image Sequence
0008,4000 X desc=C | Identifying Comments
0020,4000 X desc=C | Image Comments
0028,4000 X | Image Presentation Comments
0040,2400 X desc=C | Imaging Service Request Comments
4008,0300 X desc=C | Impressions
0008,0015 X full=K mod=C | Instance Coercion DateTime
0008,0012 X/D full=K mod=C | Instance Creation Date
0008,0013 X/Z/D full=K mod=C | Instance Creation Time
0008,0014 U uid=K | Instance Creator UID
0400,0600 X | Instance Origin Status
0008,0081 X inst=K | Institution Address
0008,0082 X/Z/D inst=K | Institution Code Sequence
0008,0080 X/Z/D inst=K | Institution Name
0008,1040 X inst=K | Institutional Department Name
0008,1041 X inst=K | Institutional Department Type Code Sequence
0018,9919 X full=K mod=C | Instruction Performed DateTime
0010,1050 X | Insurance Plan Identification
3010,0085 X full=K mod=C | Intended Fraction Start Time
3010,004D X full=K mod=C | Intended Phase End Date
3010,004C X full=K mod=C | Intended Phase Start Date
0040,1011 X | Intended Recipients of Results Identification Sequence
300A,0741 X full=K mod=C | Interlock DateTime
300A,0742 X desc=C | Interlock Description
300A,0783 X desc=C | Interlock Origin Description
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
0040,2005 X full=K mod=C | Issue Time of Imaging Service Request
0008,0051 X | Issuer of Accession Number Sequence
0038,0011 X | Issuer of Admission ID
0038,0014 X | Issuer of Admission ID Sequence
0010,0021 X | Issuer of Patient ID
0038,0061 X | Issuer of Service Episode ID
0038,0064 X | Issuer of Service Episode ID Sequence
0040,0513 Z | Issuer of the Container Identifier Sequence
0040,0562 Z | Issuer of the Specimen Identifier Sequence
0028,1214 U uid=K | Large Palette Color Lookup Table UID
0010,21D0 X full=K mod=C | Last Menstrual Date
0016,004F X dev=K | Lens Make
0016,0050 X dev=K | Lens Model
0016,0051 X dev=K | Lens Serial Number
0016,004E X dev=K | Lens Specification
0400,0005 X | MAC ID Number
0010,2000 X pat=C desc=C | Medical Alerts
0010,1090 X | Medical Record Locator
0010,1080 X | Military Rank
0400,0550 X | Modified Attributes Sequence
0020,3406 X desc=C | Modified Image Description
0020,3401 X dev=K | Modifying Device ID
0400,0563 X | Modifying System
3008,0056 X full=K mod=C | Most Recent Treatment Date
0008,1060 X | Name of Physician(s) Reading Study
0040,1010 X | Names of Intended Recipients of Results
0040,A032 X full=K mod=C | Observation DateTime
0040,A402 X uid=K | Observation Subject UID (Trial)
0040,A171 U uid=K | Observation UID
0010,2180 X pat=C desc=C | Occupation
0008,1072 X | Operators' Identification Sequence
0008,1070 X/Z/D | Operators' Name
0040,2010 X | Order Callback Phone Number
0040,2011 X | Order Callback Telecom Information
0040,2008 X | Order Entered By
0040,2009 X | Order Enterer's Location
0400,0561 X | Original Attributes Sequence
0010,1000 X | Other Patient IDs
0010,1002 X | Other Patient IDs Sequence
0010,1001 X | Other Patient Names
60xx,4000 X desc=C | Overlay Comments
60xx,3000 X graph=C | Overlay Data
0008,0024 X full=K mod=C | Overlay Date
0008,0034 X full=K mod=C | Overlay Time
0010,1040 X | Patient's Address
0010,1010 X pat=K | Patient's Age
0010,0030 Z | Patient's Birth Date
0010,1005 X | Patient's Birth Name
0010,0032 X | Patient's Birth Time
0010,0033 X | Patient's Birth Date in Alternative Calendar
0010,0034 X | Patient's Death Date in Alternative Calendar
0010,0035 X | Patient's Alternative Calendar
0010,4000 X pat=C desc=C | Patient Comments
0010,0020 Z | Patient ID
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
0038,0500 X pat=C desc=C | Patient State
0010,2155 X | Patient's Telecom Information
0010,2154 X | Patient's Telephone Numbers
0010,1030 X pat=K | Patient's Weight
0040,1004 X | Patient Transport Arrangements
0040,0243 X | Performed Location
0040,0254 X desc=C | Performed Procedure Step Description
0040,0250 X full=K mod=C | Performed Procedure Step End Date
0040,4051 X full=K mod=C | Performed Procedure Step End DateTime
0040,0251 X full=K mod=C | Performed Procedure Step End Time
0040,0253 X | Performed Procedure Step ID
0040,0244 X full=K mod=C | Performed Procedure Step Start Date
0040,4050 X full=K mod=C | Performed Procedure Step Start DateTime
0040,0245 X full=K mod=C | Performed Procedure Step Start Time
0040,0241 X dev=K | Performed Station AE Title
0040,4030 X dev=K | Performed Station Geographic Location Code Sequence
0040,0242 X dev=K | Performed Station Name
0040,4028 X dev=K | Performed Station Name Code Sequence
0008,1052 X | Performing Physician Identification Sequence
0008,1050 X | Performing Physician's Name
0040,1102 X | Person's Address
0040,1101 D | Person Identification Code Sequence
0040,A123 D | Person Name
0040,1104 X | Person's Telecom Information
0040,1103 X | Person's Telephone Numbers
4008,0114 X | Physician Approving Interpretation
0008,1062 X | Physician(s) Reading Study Identification Sequence
0008,1048 X | Physician(s) of Record
0008,1049 X | Physician(s) of Record Identification Sequence
0028,7FE0 X | Pixel Data Provider URL
0040,2016 Z | Placer Order Number / Imaging Service Request
0018,1004 X dev=K | Plate ID
0040,0012 X pat=C | Pre-Medication
0010,21C0 X pat=K | Pregnancy Status
0070,0082 X full=K mod=C | Presentation Creation Date
0070,0083 X full=K mod=C | Presentation Creation Time
0044,000B X full=K mod=C | Product Expiration DateTime
0018,1030 X/D desc=C | Protocol Name
0008,0019 U uid=K | Pyramid UID
0032,1030 X desc=C | Reason for Study
0040,2001 X desc=C | Reason for the Imaging Service Request
0040,1002 X desc=C | Reason for the Requested Procedure
300A,073A X full=K mod=C | Recorded RT Control Point DateTime
3006,0024 U uid=K | Referenced Frame of Reference UID
0040,4023 U uid=K | Referenced General Purpose Scheduled Procedure Step Transaction UID
0008,1140 X/Z/U* uid=K | Referenced Image Sequence
0040,A172 U uid=K | Referenced Observation UID (Trial)
0038,0004 X | Referenced Patient Alias Sequence
0010,1100 X | Referenced Patient Photo Sequence
0008,1120 X | Referenced Patient Sequence
0008,1111 X/Z/D uid=K | Referenced Performed Procedure Step Sequence
0400,0403 X | Referenced SOP Instance MAC Sequence
0008,1155 U uid=K | Referenced SOP Instance UID
0004,1511 U uid=K | Referenced SOP Instance UID in File
0008,1110 X/Z uid=K | Referenced Study Sequence
0008,0092 X | Referring Physician's Address
0008,0096 X | Referring Physician Identification Sequence
0008,0090 Z | Referring Physician's Name
0008,0094 X | Referring Physician's Telephone Numbers
0010,2152 X | Region of Residence
3006,00C2 U uid=K | Related Frame of Reference UID
0040,0275 X | Request Attributes Sequence
0032,1070 X desc=C | Requested Contrast Agent
0040,1400 X desc=C | Requested Procedure Comments
0032,1060 X/Z desc=C | Requested Procedure Description
0040,1001 X | Requested Procedure ID
0040,1005 X | Requested Procedure Location
0000,1001 U uid=K | Requested SOP Instance UID
0032,1032 X | Requesting Physician
0032,1031 X | Requesting Physician Identification Sequence
0032,1033 X | Requesting Service
0010,2299 X | Responsible Organization
0010,2297 X | Responsible Person
4008,4000 X desc=C | Results Comments
4008,0118 X | Results Distribution List Sequence
4008,0040 X | Results ID
4008,0042 X | Results ID Issuer
300E,0004 X full=K mod=C | Review Date
300E,0005 X full=K mod=C | Review Time
300E,0008 X | Reviewer Name
0038,0016 X pat=C | Route of Admissions
300A,0006 X full=K mod=C | RT Plan Date
300A,0004 X desc=C | RT Plan Description
300A,0002 D desc=C | RT Plan Label
300A,0003 X desc=C | RT Plan Name
300A,0007 X full=K mod=C | RT Plan Time
0040,4034 X | Scheduled Human Performers Sequence
0038,001E X | Scheduled Patient Institution Residence
0040,000B X | Scheduled Performing Physician Identification Sequence
0040,0006 X | Scheduled Performing Physician's Name
0040,0007 X desc=C | Scheduled Procedure Step Description
0040,0004 X full=K mod=C | Scheduled Procedure Step End Date
0040,0005 X full=K mod=C | Scheduled Procedure Step End Time
0040,4008 X full=K mod=C | Scheduled Procedure Step Expiration DateTime
0040,0009 X | Scheduled Procedure Step ID
0040,0011 X | Scheduled Procedure Step Location
0040,4010 X full=K mod=C | Scheduled Procedure Step Modification DateTime
0040,0002 X full=K mod=C | Scheduled Procedure Step Start Date
0040,4005 X full=K mod=C | Scheduled Procedure Step Start DateTime
0040,0003 X full=K mod=C | Scheduled Procedure Step Start Time
0040,0001 X dev=K | Scheduled Station AE Title
0040,4027 X dev=K | Scheduled Station Geographic Location Code Sequence
0040,0010 X dev=K | Scheduled Station Name
0040,4025 X dev=K | Scheduled Station Name Code Sequence
0032,1020 X | Scheduled Study Location
0032,1021 X | Scheduled Study Location AE Title
0032,1000 X full=K mod=C | Scheduled Study Start Date
0032,1001 X full=K mod=C | Scheduled Study Start Time
0008,0021 X/D full=K mod=C | Series Date
0008,103E X desc=C | Series Description
0020,000E U uid=K | Series Instance UID
0008,0031 X/D full=K mod=C | Series Time
0038,0062 X desc=C | Service Episode Description
0038,0060 X | Service Episode ID
0010,21A0 X pat=K | Smoking Status
0018,1020 X dev=K | Software Versions
0008,0018 U uid=K | SOP Instance UID
0008,2112 X/Z/U* uid=K | Source Image Sequence
300A,0216 X dev=K | Source Manufacturer
3008,0105 X dev=K | Source Serial Number
0038,0050 X pat=C | Special Needs
0040,050A X | Specimen Accession Number
0040,0602 X desc=C | Specimen Detailed Description
0040,0551 D | Specimen Identifier
0040,0610 Z | Specimen Preparation Sequence
0040,0600 X desc=C | Specimen Short Description
0040,0554 U uid=K | Specimen UID
0018,9516 X full=K mod=C | Start Acquisition DateTime
0008,0055 X dev=K | Station AE Title
0008,1010 X/Z/D dev=K | Station Name
0088,0130 X | Storage Media File-set ID
0088,0140 U uid=K | Storage Media File-set UID
3006,0008 Z full=K mod=C | Structure Set Date
3006,0006 X desc=C | Structure Set Description
3006,0002 D desc=C | Structure Set Label
3006,0004 X desc=C | Structure Set Name
3006,0009 Z full=K mod=C | Structure Set Time
0032,4000 X desc=C | Study Comments
0008,0020 Z full=K mod=C | Study Date
0008,1030 X desc=C | Study Description
0020,0010 Z | Study ID
0032,0012 X | Study ID Issuer
0020,000D U uid=K | Study Instance UID
0008,0030 Z full=K mod=C | Study Time
0020,0200 U uid=K | Synchronization Frame of Reference UID
0018,2042 U uid=K | Target UID
0040,A354 X | Telephone Number (Trial)
0040,DB0D U uid=K | Template Extension Creator UID
0040,DB0C U uid=K | Template Extension Organization UID
4000,4000 X desc=C | Text Comments
2030,0020 X desc=C | Text String
0040,A122 D full=K mod=C | Time
0008,0201 X full=K mod=C | Timezone Offset From UTC
0088,0910 X | Topic Author
0088,0912 X | Topic Keywords
0088,0906 X | Topic Subject
0088,0904 X | Topic Title
0062,0021 U uid=K | Tracking UID
0008,1195 U uid=K | Transaction UID
3008,0024 X full=K mod=C | Treatment Control Point Date
3008,0025 X full=K mod=C | Treatment Control Point Time
3008,0250 X full=K mod=C | Treatment Date
300A,00B2 X/D dev=K | Treatment Machine Name
3010,0077 X desc=C | Treatment Site
3008,0251 X full=K mod=C | Treatment Time
0040,A124 U uid=K | UID
0018,1009 X dev=K | Unique Device Identifier
0070,0006 D graph=C | Unformatted Text Value
0040,A352 X | Verbal Source (Trial)
0040,A358 X | Verbal Source Identifier Code Sequence (Trial)
0040,A030 D full=K mod=C | Verification DateTime
0040,A088 Z | Verifying Observer Identification Code Sequence
0040,A075 D | Verifying Observer Name
0040,A073 D | Verifying Observer Sequence
0040,A027 X | Verifying Organization
0038,4000 X desc=C | Visit Comments
0040,A160 X struct=C | Text Value
0040,A30A X struct=C | Numeric Value
0040,A13A X struct=C | Referenced DateTime
0010,0026 X | Source Patient Group Identification Sequence
0010,0027 X | Group of Patients Identification Sequence
`;
