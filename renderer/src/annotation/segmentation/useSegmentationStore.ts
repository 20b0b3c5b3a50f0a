/**
 * What the segmentation panel shows: the segmentation of the active viewport's series, its
 * segments, the labelmap tool on the left button, the save state and the interpolation job.
 * The Cornerstone side lives in segmentationSession.ts, which writes here.
 */
import { create } from 'zustand';
import type { ModelRunProgress, ModelSummary } from '../../../../shared/model.js';
import type { SegmentInfo } from '../../../../shared/segmentation.js';

/** The labelmap tools, named as the label schema names them (label.tools). */
export const SEGMENT_TOOLS = [
  'Brush',
  'Eraser',
  'ThresholdBrush',
  'RectangleScissor',
  'CircleScissor',
  'PaintFill',
  'RegionGrow',
] as const;
export type SegmentToolName = (typeof SEGMENT_TOOLS)[number];

export type SaveState = 'saved' | 'saving' | 'unsaved' | 'failed';

export type InterpolationState =
  | { phase: 'idle' }
  | { phase: 'running'; step: 'preparing' | 'loading' | 'interpolating' | 'applying'; startedAt: number }
  | { phase: 'done'; slices: number; voxels: number }
  | { phase: 'cancelled' }
  | { phase: 'failed'; message: string };

export interface SegmentationState {
  panelOpen: boolean;
  status: 'idle' | 'loading' | 'ready' | 'failed';
  error: string | null;
  seriesInstanceUID: string | null;
  annotationUid: string | null;
  segments: SegmentInfo[];
  activeSegment: number | null;
  tool: SegmentToolName | null;
  brushSize: number;
  threshold: { lower: number; upper: number } | null;
  save: SaveState;
  interpolation: InterpolationState;
  /** Click-to-segment (regionGrow.ts): ± this many modality units around the clicked value; 3D grows through the stack. */
  regionTolerance: number;
  region3d: boolean;
  lastRegion: { voxels: number; slices: number; range: [number, number] } | null;
  /** Who made the open segmentation's newest version: `human`, or `ai:<model>` (a pre-annotation to review). */
  openSource: { source: string; author: string } | null;
  /** The project's models (model.list) and the run in progress or last ended (runModel.ts). */
  models: ModelSummary[];
  modelRun: ModelRunProgress | null;
  togglePanel(): void;
}

export const useSegmentationStore = create<SegmentationState>()((set, get) => ({
  // Reopened after a reload that switched to GPU rendering for segmentation.
  panelOpen: new URLSearchParams(window.location.search).get('segment') === '1',
  status: 'idle',
  error: null,
  seriesInstanceUID: null,
  annotationUid: null,
  segments: [],
  activeSegment: null,
  tool: null,
  brushSize: 10,
  threshold: null,
  save: 'saved',
  interpolation: { phase: 'idle' },
  regionTolerance: 100,
  region3d: false,
  lastRegion: null,
  openSource: null,
  models: [],
  modelRun: null,
  togglePanel() {
    set({ panelOpen: !get().panelOpen });
  },
}));
