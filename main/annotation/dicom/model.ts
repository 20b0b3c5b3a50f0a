/**
 * The shapes the DICOM interchange reads and writes, as fixed by the annotation SPEC
 * (/tmp/team/SPEC-annotation.md): an annotation version (A-STORE's `annotation_version` row), the
 * parts of a label schema the SR needs (codes), and a labelmap as A-SEG's store returns it
 * (`readLabelmap`: one Map per layer from SOP Instance UID to the slice's segment numbers).
 * Kept structural so the interchange works on plain objects (CLI, tests) and on the stores alike.
 */

/** A coded concept (DICOM code sequence item): value, coding scheme designator, meaning. */
export interface Code {
  value: string;
  scheme: string;
  meaning: string;
}

export type AttributeValue = string | number | string[];

export interface AnnotationVersionLike {
  versionId: string;
  annotationUid: string;
  parentIds: string[];
  studyInstanceUID: string;
  seriesInstanceUID?: string | undefined;
  sopInstanceUID?: string | undefined;
  frameNumber?: number | undefined;
  kind: 'measurement' | 'segmentation' | 'classification';
  tool: string;
  labelId?: string | undefined;
  attributes: Record<string, AttributeValue>;
  data: unknown;
  source: string;
  author: string;
  status: 'draft' | 'complete' | 'verified';
  deleted: boolean;
  createdAt: number;
}

/** What the SR needs of a schema label: its name and codes, and its attributes' names. */
export interface LabelLike {
  id: string;
  name: { en: string; 'zh-CN'?: string };
  color?: string;
  kind?: string;
  finding?: Code | undefined;
  findingSite?: Code | undefined;
  attributes?: Array<{
    id: string;
    name: { en: string; 'zh-CN'?: string };
    type: 'choice' | 'number' | 'text';
    options?: Array<{ id: string; name: unknown }>;
    unit?: string | undefined;
  }>;
}

export interface LabelSchemaLike {
  id?: string;
  labels: LabelLike[];
  /** Classification questions (their names and options name the SR's qualitative evaluations). */
  questions?: Array<{ id: string; name: { en: string }; options: Array<{ id: string; name: unknown }> }>;
}

/** The Cornerstone statistics the SR carries, in the units Cornerstone reports them. */
export interface MeasurementStats {
  length?: number;
  width?: number;
  angle?: number;
  area?: number;
  perimeter?: number;
  mean?: number;
  stdDev?: number;
  min?: number;
  max?: number;
  unit?: string;
  areaUnit?: string;
  modalityUnit?: string;
}

/** A Cornerstone annotation as the store keeps it in a measurement version's `data`. */
export interface CornerstoneAnnotationData {
  metadata: {
    toolName: string;
    referencedImageId?: string;
    FrameOfReferenceUID?: string;
    viewPlaneNormal?: number[];
    viewUp?: number[];
    [key: string]: unknown;
  };
  data: {
    handles: { points: number[][]; textBox?: unknown; [key: string]: unknown };
    cachedStats?: Record<string, MeasurementStats>;
    text?: string;
    label?: string;
    contour?: { polyline: number[][]; closed: boolean };
    [key: string]: unknown;
  };
  hidden?: boolean;
  locked?: boolean;
}

export interface SegmentInfo {
  segmentIndex: number;
  labelId?: string | undefined;
  name: string;
  color: string;
  visible?: boolean;
  locked?: boolean;
  opacity?: number | undefined;
  /** The layer the segment's voxels are on and the value they hold there (A-SEG's store); when absent, voxels equal to segmentIndex on any layer. */
  layer?: number;
  labelValue?: number;
}

/** A labelmap: per layer, per source slice (SOP Instance UID), the segment number of each voxel. */
export interface LabelmapLike {
  layers: Array<Map<string, Uint8Array | Uint16Array>>;
  segments: SegmentInfo[];
  width: number;
  height: number;
}
