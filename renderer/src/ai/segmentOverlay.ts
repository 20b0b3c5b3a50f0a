/**
 * The AI SEG's segments drawn on the image while the reader decides them (docs/ai-review.md "AI
 * segmentations: in the viewport"). A reader cannot judge a segment they cannot see, and
 * Cornerstone 5.14 draws labelmaps on GPU viewports only, so the AI's labelmaps are drawn here on a
 * 2D canvas laid over each viewport showing their series, on every render of that viewport (CPU
 * and GPU rendering alike), with the viewport's own image-to-canvas transform (zoom, pan, flip,
 * rotation follow):
 *
 * - an undecided segment in the device's colour (the SEG's Recommended Display CIELab), lightly
 *   filled with a dotted outline (the AI's style: dashed for measurements);
 * - the current finding (N / P) filled more strongly with a solid outline;
 * - an accepted or edited segment in its label's colour (the reader's copy) with a solid outline,
 *   unless the reader's segmentation is open in the editor on that series (Cornerstone draws it);
 * - a rejected segment not at all; nothing while the AI segments are hidden (the list's toggle).
 *
 * The voxels come once per AI labelmap version (`segmentation.load`); one RGBA bitmap per slice and
 * style is drawn and cached. With no AI segment in the study a render costs one map lookup.
 */
import {
  Enums as CoreEnums,
  type StackViewport,
  getEnabledElement,
  utilities as coreUtilities,
} from '@cornerstonejs/core';
import type { AiFinding } from '../../../shared/ai.js';
import { host } from '../host/index.js';
import { decodeSlice } from '../annotation/segmentation/labelmapCodec.js';
import { useSegmentationStore } from '../annotation/segmentation/useSegmentationStore.js';
import { schemaNow } from '../annotation/tools/storeLink.js';
import { drawOverImage, overlayCanvasOf } from '../imaging/imageOverlay.js';
import { viewportInSlot } from '../viewer/viewportRegistry.js';

const SLOTS = 4;
const CANVAS_CLASS = 'ai-segment-overlay';

/** One AI labelmap version's voxels, by the image id each slice belongs to. */
interface AiLabelmap {
  annotationUid: string;
  versionId: string;
  seriesInstanceUID: string;
  width: number;
  height: number;
  /** image id → one array per layer (absent layers: no voxels there). */
  slices: Map<string, Array<Uint8Array | undefined>>;
  /** segment number → (layer, label value). */
  bindings: Map<number, { layer: number; labelValue: number }>;
}

type Look = 'undecided' | 'current' | 'decided';
interface SegmentLook {
  segmentIndex: number;
  look: Look;
  rgb: [number, number, number];
}

const labelmaps = new Map<string, AiLabelmap>();
const loading = new Map<string, Promise<void>>();
let findings: readonly AiFinding[] = [];
let current = -1;
let hidden = false;
let installed = false;
/** Per viewport element: what its overlay shows (for the probe and to skip identical redraws). */
const drawn = new WeakMap<HTMLElement, { key: string; segments: number[] }>();
const bitmaps = new Map<string, { canvas: HTMLCanvasElement; segments: number[] }>();

function rgbOf(hex: string): [number, number, number] {
  const value = Number.parseInt(/^#[0-9a-f]{6}$/i.test(hex) ? hex.slice(1) : 'ff4fd8', 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

async function loadLabelmap(annotationUid: string, versionId: string): Promise<void> {
  const key = `${annotationUid}@${versionId}`;
  if (labelmaps.has(key)) return;
  let pending = loading.get(key);
  if (!pending) {
    pending = (async () => {
      const view = await host.api.call('segmentation.load', { annotationUid, versionId });
      const size = view.width * view.height;
      const slices = new Map<string, Array<Uint8Array | undefined>>();
      for (const chunk of view.slices) {
        if (!chunk.data || view.bits !== 8) continue;
        // A single-frame image's id has no frame; a multi-frame image's first frame may have one.
        const ids =
          chunk.frame > 1
            ? [host.imageIdFor(chunk.sopInstanceUID, chunk.frame)]
            : [host.imageIdFor(chunk.sopInstanceUID), host.imageIdFor(chunk.sopInstanceUID, 1)];
        const layers = slices.get(ids[0]!) ?? [];
        layers[chunk.layer] = decodeSlice(chunk.data, size);
        for (const id of ids) slices.set(id, layers);
      }
      labelmaps.set(key, {
        annotationUid,
        versionId,
        seriesInstanceUID: view.seriesInstanceUID,
        width: view.width,
        height: view.height,
        slices,
        bindings: new Map(
          view.segments.map((s) => [s.segmentIndex, { layer: s.layer, labelValue: s.labelValue }]),
        ),
      });
    })().finally(() => loading.delete(key));
    loading.set(key, pending);
  }
  await pending;
}

/** The looks of one AI labelmap's segments now (rejected ones and hidden ones left out). */
function looksOf(map: AiLabelmap): SegmentLook[] {
  if (hidden) return [];
  const editing = useSegmentationStore.getState();
  const editorShows = editing.status === 'ready' && editing.seriesInstanceUID === map.seriesInstanceUID;
  const labels = schemaNow().labels;
  const looks: SegmentLook[] = [];
  findings.forEach((finding, index) => {
    const segment = finding.segment;
    if (!segment || segment.annotationUid !== map.annotationUid || segment.versionId !== map.versionId)
      return;
    if (finding.decision === 'rejected') return;
    if (finding.decision !== null) {
      if (editorShows) return;
      const label = labels.find((item) => item.id === finding.aiVersion.labelId);
      looks.push({
        segmentIndex: segment.segmentIndex,
        look: index === current ? 'current' : 'decided',
        rgb: rgbOf(label?.color ?? segment.color),
      });
      return;
    }
    looks.push({
      segmentIndex: segment.segmentIndex,
      look: index === current ? 'current' : 'undecided',
      rgb: rgbOf(segment.color),
    });
  });
  return looks;
}

/** Fill and outline opacity (0–255) per look. */
const FILL: Record<Look, number> = { undecided: 64, current: 140, decided: 56 };

/** One slice of one AI labelmap in its looks: a bitmap of the image's size (a voxel a pixel). */
function bitmapOf(
  map: AiLabelmap,
  imageId: string,
  looks: SegmentLook[],
): { canvas: HTMLCanvasElement; segments: number[] } | null {
  const layers = map.slices.get(imageId);
  if (!layers || looks.length === 0) return null;
  const key = `${map.versionId}|${imageId}|${looks.map((l) => `${l.segmentIndex}:${l.look}:${l.rgb.join(',')}`).join(';')}`;
  const cached = bitmaps.get(key);
  if (cached) return cached;
  const { width, height } = map;
  // Which look owns each voxel (the later segment on top where layers overlap).
  const owner = new Int16Array(width * height).fill(-1);
  const segments: number[] = [];
  looks.forEach((look, n) => {
    const binding = map.bindings.get(look.segmentIndex);
    const voxels = binding ? layers[binding.layer] : undefined;
    if (!binding || !voxels) return;
    let any = false;
    for (let i = 0; i < voxels.length; i++)
      if (voxels[i] === binding.labelValue) {
        owner[i] = n;
        any = true;
      }
    if (any) segments.push(look.segmentIndex);
  });
  if (segments.length === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(width, height);
  const rgba = image.data;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const n = owner[i]!;
      if (n < 0) continue;
      const look = looks[n]!;
      const edge =
        x === 0 ||
        y === 0 ||
        x === width - 1 ||
        y === height - 1 ||
        owner[i - 1] !== n ||
        owner[i + 1] !== n ||
        owner[i - width] !== n ||
        owner[i + width] !== n;
      // Undecided: a dotted outline (every other pair of voxels), like the AI's dashed lines.
      const dotted = look.look === 'undecided' && ((x + y) >> 1) % 2 === 1;
      const alpha = edge && !dotted ? 255 : FILL[look.look];
      rgba[i * 4] = look.rgb[0];
      rgba[i * 4 + 1] = look.rgb[1];
      rgba[i * 4 + 2] = look.rgb[2];
      rgba[i * 4 + 3] = alpha;
    }
  context.putImageData(image, 0, 0);
  if (bitmaps.size > 64) bitmaps.clear();
  const bitmap = { canvas, segments };
  bitmaps.set(key, bitmap);
  return bitmap;
}

/** Draws (or clears) the overlay of one viewport for the image it shows. */
function drawViewport(viewport: StackViewport): void {
  const element = viewport.element;
  const imageId = viewport.getCurrentImageId?.();
  const existing = element.querySelector<HTMLCanvasElement>(`canvas.${CANVAS_CLASS}`);
  const parts: Array<{ canvas: HTMLCanvasElement; segments: number[] }> = [];
  if (imageId)
    for (const map of labelmaps.values()) {
      if (!map.slices.has(imageId)) continue;
      const looks = looksOf(map);
      const bitmap = bitmapOf(map, imageId, looks);
      if (bitmap) parts.push(bitmap);
    }
  if (parts.length === 0) {
    if (existing && drawn.get(element)?.key !== '') {
      existing.getContext('2d')?.clearRect(0, 0, existing.width, existing.height);
      drawn.set(element, { key: '', segments: [] });
    }
    return;
  }
  const canvas = existing ?? overlayCanvasOf(element, CANVAS_CLASS, 'ai-segment-overlay');
  // The viewport's own image → canvas mapping (imaging/imageOverlay.ts, shared with the brush preview).
  if (
    !drawOverImage(
      canvas,
      viewport,
      imageId!,
      parts.map((part) => part.canvas),
    )
  )
    return;
  drawn.set(element, { key: imageId!, segments: parts.flatMap((part) => part.segments) });
}

function onRendered(event: Event): void {
  if (labelmaps.size === 0) return;
  const element = event.target as HTMLDivElement | null;
  if (!element) return;
  const viewport = getEnabledElement(element)?.viewport as StackViewport | undefined;
  if (viewport && typeof viewport.getCurrentImageId === 'function') drawSafely(viewport);
}

/** A viewport whose image has no geometry yet (still loading) is drawn at its next render. */
function drawSafely(viewport: StackViewport): void {
  try {
    drawViewport(viewport);
  } catch {
    // Drawn again on the next IMAGE_RENDERED, once the image's plane is known.
  }
}

function redrawAll(): void {
  for (let slot = 0; slot < SLOTS; slot++) {
    const handle = viewportInSlot(slot);
    if (handle) drawSafely(handle.viewport);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  // IMAGE_RENDERED does not bubble; a capturing listener on the document sees every viewport's.
  document.addEventListener(CoreEnums.Events.IMAGE_RENDERED, onRendered, true);
  useSegmentationStore.subscribe((state, previous) => {
    if (state.status !== previous.status || state.seriesInstanceUID !== previous.seriesInstanceUID)
      redrawAll();
  });
}

/**
 * The study's findings and the current one changed: load the AI labelmaps not loaded yet, redraw.
 * An empty list (another study, or no AI SEG) forgets them.
 */
export function showAiSegments(next: readonly AiFinding[], currentIndex: number): void {
  findings = next;
  current = currentIndex;
  const wanted = new Map<string, { annotationUid: string; versionId: string }>();
  for (const finding of next)
    if (finding.segment)
      wanted.set(`${finding.segment.annotationUid}@${finding.segment.versionId}`, finding.segment);
  // A study without AI SEGs (the usual case, and every N / P there) costs nothing more.
  if (wanted.size === 0 && labelmaps.size === 0) return;
  for (const key of [...labelmaps.keys()]) if (!wanted.has(key)) labelmaps.delete(key);
  if (wanted.size === 0) {
    bitmaps.clear();
    redrawAll();
    return;
  }
  install();
  const missing = [...wanted.values()].filter((s) => !labelmaps.has(`${s.annotationUid}@${s.versionId}`));
  if (missing.length === 0) {
    redrawAll();
    return;
  }
  void Promise.all(missing.map((s) => loadLabelmap(s.annotationUid, s.versionId)))
    .catch(() => undefined)
    .then(redrawAll);
}

/** Shows or hides every AI segment on the image. */
export function setAiSegmentsHidden(value: boolean): void {
  hidden = value;
  redrawAll();
}

/** Read-only probe for the tests: where a voxel is on screen, and what each viewport's overlay shows. */
export interface AiSegmentProbe {
  /** CSS pixels from the viewport element's top-left corner to the centre of voxel (column, row). */
  pointOf(slot: number, column: number, row: number): [number, number] | null;
  /** The segment numbers drawn over the slot's current image. */
  drawnIn(slot: number): number[];
}

const probe: AiSegmentProbe = {
  pointOf(slot, column, row) {
    const handle = viewportInSlot(slot);
    const imageId = handle?.viewport.getCurrentImageId();
    if (!handle || !imageId) return null;
    const world = coreUtilities.imageToWorldCoords(imageId, [column, row]);
    if (!world) return null;
    const [x, y] = handle.viewport.worldToCanvas(world);
    return [x, y];
  },
  drawnIn(slot) {
    const handle = viewportInSlot(slot);
    return handle ? (drawn.get(handle.viewport.element)?.segments ?? []) : [];
  },
};
(window as unknown as { radlabelAiSegments: AiSegmentProbe }).radlabelAiSegments = probe;
