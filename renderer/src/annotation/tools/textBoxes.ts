/**
 * The measurements' text boxes, drawn without forcing a layout per box (docs/annotation.md
 * "Speed"). Cornerstone 5.14 draws each linked text box with two `getBBox()` calls (a forced
 * synchronous layout of the SVG layer each, so drawing n boxes costs n layouts of a layer that
 * grows with n), reads the viewport's `clientWidth`/`clientHeight` per box (another forced layout
 * once the layer changed), and places each box by comparing it with every box already drawn on the
 * image, up to 30 times (quadratic when many boxes pile up).
 *
 * `installFastTextBoxes` replaces `AnnotationTool.prototype.renderLinkedTextBoxAnnotation`, used by
 * every measurement tool, with the same behaviour built differently:
 * - a box's size comes from the text's advance widths measured once per font and line on a 2D
 *   canvas (cached) and the font's ascent and descent, as SVG's bounding box of the same `<text>`;
 * - the viewport's size is read once per drawing pass;
 * - the boxes drawn in a pass are kept in a grid of 64-px cells, so finding the first box a
 *   candidate position overlaps looks at the boxes near it only. Placement is Cornerstone's: right
 *   of the annotation, kept inside the viewport, moved below (else above) the boxes it overlaps.
 * The DOM is Cornerstone's (a `g[data-annotation-uid]` with a `<text>` of `<tspan>` lines, its drop
 * shadow, a dashed link line), under the same cache keys, so everything else works as before.
 */
import { AnnotationTool, drawing } from '@cornerstonejs/tools';
import type { Types as CoreTypes } from '@cornerstonejs/core';
import type { Types as ToolTypes } from '@cornerstonejs/tools';

type Point2 = CoreTypes.Point2;
type SvgDrawingHelper = Parameters<typeof drawing.drawLine>[0];

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface TextBoxStyle {
  visibility?: boolean;
  fontFamily?: string;
  fontSize?: string;
  color?: string;
  background?: string;
  lineWidth?: string | number;
  lineDash?: string;
  textBoxBorderRadius?: number | string;
  textBoxMargin?: number | string;
  textBoxLinkLineColor?: string;
  [key: string]: unknown;
}

interface RenderOptions {
  enabledElement: CoreTypes.IEnabledElement;
  svgDrawingHelper: SvgDrawingHelper;
  annotation: ToolTypes.Annotation;
  styleSpecifier: unknown;
  textLines: string[];
  canvasCoordinates: Point2[];
  textBoxUID?: string;
  placementPoints?: Point2[];
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const DEFAULT_FONT_FAMILY = 'Helvetica, Arial, sans-serif';
const DEFAULT_FONT_SIZE = '14px';
const DEFAULT_COLOR = 'rgb(255, 255, 0)';
/** Cornerstone's distance between the anchor and the text (drawTextBox's `padding`). */
const PADDING = 25;
/** Cornerstone's placement constants (getTextBoxCoordsCanvas). */
const GAP = 6;
const MARGIN = 4;
const TRIES = 30;
const CELL = 64;

/** Boxes drawn in one drawing pass of one viewport, in a grid for overlap queries. */
class BoxGrid {
  readonly boxes: Box[] = [];
  readonly #cells = new Map<number, number[]>();

  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  add(box: Box): void {
    const index = this.boxes.length;
    this.boxes.push(box);
    this.#visit(box, GAP / 2, (key) => {
      const cell = this.#cells.get(key);
      if (cell) cell.push(index);
      else this.#cells.set(key, [index]);
    });
  }

  /** The earliest drawn box that the candidate overlaps (boxes inflated by half the gap). */
  firstOverlap(candidate: Box): Box | null {
    let first = Infinity;
    this.#visit(candidate, 0, (key) => {
      for (const index of this.#cells.get(key) ?? []) {
        if (index >= first) break;
        if (intersects(candidate, this.boxes[index]!)) first = index;
      }
    });
    return first === Infinity ? null : this.boxes[first]!;
  }

  #visit(box: Box, inflate: number, fn: (key: number) => void): void {
    const x0 = Math.floor((box.x - inflate) / CELL);
    const x1 = Math.floor((box.x + box.width + inflate) / CELL);
    const y0 = Math.floor((box.y - inflate) / CELL);
    const y1 = Math.floor((box.y + box.height + inflate) / CELL);
    if (!Number.isFinite(x0 + x1 + y0 + y1)) return;
    for (let cx = x0; cx <= x1; cx++) for (let cy = y0; cy <= y1; cy++) fn(cx * 65_536 + cy);
  }
}

function intersects(candidate: Box, box: Box): boolean {
  const inflate = GAP / 2;
  return (
    candidate.x <= box.x + box.width + inflate &&
    candidate.x + candidate.width >= box.x - inflate &&
    candidate.y <= box.y + box.height + inflate &&
    candidate.y + candidate.height >= box.y - inflate
  );
}

/**
 * Canvas ↔ world for one drawing pass of a planar viewport: the map is affine, so three points
 * converted by the viewport give every other one (Cornerstone's CPU conversions rebuild the camera
 * on every call).
 */
interface Converter {
  canvasToWorld(point: Point2): CoreTypes.Point3;
  worldToCanvas(point: CoreTypes.Point3): Point2;
}

interface ViewportSize {
  canvas?: HTMLCanvasElement;
  element: HTMLDivElement;
}

class PlaneMap {
  readonly #origin: CoreTypes.Point3;
  readonly #ex: CoreTypes.Point3;
  readonly #ey: CoreTypes.Point3;
  readonly #gram: [number, number, number];

  constructor(viewport: Converter) {
    // Cornerstone's CPU conversion gives undefined while the viewport has no image.
    const none: CoreTypes.Point3 = [Number.NaN, Number.NaN, Number.NaN];
    const o = viewport.canvasToWorld([0, 0]) ?? none;
    const x = viewport.canvasToWorld([1, 0]) ?? none;
    const y = viewport.canvasToWorld([0, 1]) ?? none;
    this.#origin = o;
    this.#ex = [x[0] - o[0], x[1] - o[1], x[2] - o[2]];
    this.#ey = [y[0] - o[0], y[1] - o[1], y[2] - o[2]];
    const dot = (a: CoreTypes.Point3, b: CoreTypes.Point3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    this.#gram = [dot(this.#ex, this.#ex), dot(this.#ex, this.#ey), dot(this.#ey, this.#ey)];
  }

  get usable(): boolean {
    const [a, b, c] = this.#gram;
    return Number.isFinite(a + b + c) && Math.abs(a * c - b * b) > 1e-12;
  }

  toWorld([x, y]: Point2): CoreTypes.Point3 {
    const o = this.#origin;
    const ex = this.#ex;
    const ey = this.#ey;
    return [o[0] + x * ex[0] + y * ey[0], o[1] + x * ex[1] + y * ey[1], o[2] + x * ex[2] + y * ey[2]];
  }

  toCanvas(world: CoreTypes.Point3): Point2 {
    const d = [world[0] - this.#origin[0], world[1] - this.#origin[1], world[2] - this.#origin[2]];
    const px = d[0]! * this.#ex[0] + d[1]! * this.#ex[1] + d[2]! * this.#ex[2];
    const py = d[0]! * this.#ey[0] + d[1]! * this.#ey[1] + d[2]! * this.#ey[2];
    const [a, b, c] = this.#gram;
    const det = a * c - b * b;
    return [(c * px - b * py) / det, (a * py - b * px) / det];
  }
}

interface Pass {
  grid: BoxGrid;
  /** Conversions by the plane map (false: by the viewport, the plane being degenerate). */
  planar: boolean;
  toWorld(point: Point2): CoreTypes.Point3;
  toCanvas(point: CoreTypes.Point3): Point2;
}

/** One state per drawing pass: Cornerstone makes a new drawing helper for every pass. */
const passes = new WeakMap<object, Pass>();

function passOf(helper: SvgDrawingHelper, viewport: Converter & ViewportSize): Pass {
  let pass = passes.get(helper);
  if (!pass) {
    // The canvas's size in CSS pixels without asking the layout (element.clientWidth would force
    // one while the SVG layer is being rebuilt); Cornerstone keeps canvas.width = clientWidth × dpr.
    const canvas = viewport.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas?.width ? canvas.width / ratio : viewport.element.clientWidth;
    const height = canvas?.height ? canvas.height / ratio : viewport.element.clientHeight;
    const plane = new PlaneMap(viewport);
    pass = plane.usable
      ? {
          grid: new BoxGrid(width, height),
          planar: true,
          toWorld: (point) => plane.toWorld(point),
          toCanvas: (point) => plane.toCanvas(point),
        }
      : {
          grid: new BoxGrid(width, height),
          planar: false,
          toWorld: (point) => viewport.canvasToWorld(point),
          toCanvas: (point) => viewport.worldToCanvas(point),
        };
    passes.set(helper, pass);
  }
  return pass;
}

/** Cornerstone's size estimate for placement (before the text is drawn). */
function estimatedSize(textLines: string[]): { width: number; height: number } {
  const longest = textLines.reduce((max, line) => Math.max(max, line?.length ?? 0), 0);
  return { width: longest * 8 + PADDING * 2, height: Math.max(textLines.length, 1) * 17 + PADDING * 2 };
}

/** Where the text box of an annotation goes (canvas), as Cornerstone's getTextBoxCoordsCanvas. */
function placeTextBox(points: Point2[], textLines: string[], grid: BoxGrid): Point2 {
  const valid = points.filter(Boolean);
  if (valid.length === 0) return [0, 0];
  let left = valid[0]!;
  let right = left;
  let top = left;
  let bottom = left;
  for (const point of valid) {
    if (point[0] < left[0]) left = point;
    if (point[0] > right[0]) right = point;
    if (point[1] < top[1]) top = point;
    if (point[1] > bottom[1]) bottom = point;
  }
  const { width, height } = estimatedSize(textLines);
  const maxX = grid.width - MARGIN;
  const maxY = grid.height - MARGIN;
  let x = right[0];
  let y = (top[1] + bottom[1]) / 2 - height / 2;
  if (x + width > maxX) x = left[0] - width;
  x = Math.max(MARGIN, Math.min(x, maxX - width));
  y = Math.max(MARGIN, Math.min(y, maxY - height));
  if (grid.boxes.length === 0) return [x, y];
  const at = (candidateY: number): Box => ({ x, y: candidateY, width, height });
  if (!grid.firstOverlap(at(y))) return [x, y];
  const clamp = (candidateY: number): Point2 => [x, Math.max(MARGIN, Math.min(candidateY, maxY - height))];
  let below = y;
  for (let i = 0; i < TRIES; i++) {
    const blocker = grid.firstOverlap(at(below));
    if (!blocker) break;
    below = blocker.y + blocker.height + GAP;
    if (below + height > maxY) {
      below = Infinity;
      break;
    }
  }
  if (below !== Infinity && !grid.firstOverlap(at(below))) return clamp(below);
  let above = y;
  for (let i = 0; i < TRIES; i++) {
    const blocker = grid.firstOverlap(at(above));
    if (!blocker) break;
    above = blocker.y - height - GAP;
    if (above < MARGIN) {
      above = -Infinity;
      break;
    }
  }
  if (above !== -Infinity && !grid.firstOverlap(at(above))) return clamp(above);
  return [x, y];
}

/** Text metrics from a 2D canvas, cached per font and line. */
let measuringContext: CanvasRenderingContext2D | null | undefined;
const widths = new Map<string, number>();
const verticals = new Map<string, { ascent: number; descent: number }>();

function context(): CanvasRenderingContext2D | null {
  if (measuringContext === undefined) measuringContext = document.createElement('canvas').getContext('2d');
  return measuringContext;
}

function fontPixels(fontSize: string): number {
  const value = Number.parseFloat(fontSize);
  return Number.isFinite(value) && value > 0 ? value : 14;
}

function lineWidth(font: string, fontSize: number, line: string): number {
  const key = `${font}\n${line}`;
  let width = widths.get(key);
  if (width === undefined) {
    const ctx = context();
    if (ctx) {
      ctx.font = font;
      width = ctx.measureText(line).width;
    } else width = line.length * fontSize * 0.6;
    if (widths.size > 20_000) widths.clear();
    widths.set(key, width);
  }
  return width;
}

function verticalMetrics(font: string, fontSize: number): { ascent: number; descent: number } {
  let metrics = verticals.get(font);
  if (!metrics) {
    const ctx = context();
    let ascent = fontSize * 0.9;
    let descent = fontSize * 0.25;
    if (ctx) {
      ctx.font = font;
      const measured = ctx.measureText('Hg');
      if (measured.fontBoundingBoxAscent > 0) ascent = measured.fontBoundingBoxAscent;
      if (measured.fontBoundingBoxDescent > 0) descent = measured.fontBoundingBoxDescent;
    }
    metrics = { ascent, descent };
    verticals.set(font, metrics);
  }
  return metrics;
}

/**
 * The bounding box of Cornerstone's `<text>` (lines as `<tspan x="0" dy="1.2em">`) relative to its
 * group, as `getBBox()` gives it: from the first line's top to the last line's bottom.
 */
export function textBoundingBox(textLines: string[], fontFamily: string, fontSize: string): Box {
  const size = fontPixels(fontSize);
  const font = `${size}px ${fontFamily}`;
  const { ascent, descent } = verticalMetrics(font, size);
  const lines = textLines.length > 0 ? textLines : [''];
  const width = lines.reduce((max, line) => Math.max(max, lineWidth(font, size, line ?? '')), 0);
  const lineHeight = 1.2 * size;
  const top = lineHeight - ascent;
  return { x: 0, y: top, width, height: (lines.length - 1) * lineHeight + ascent + descent };
}

/**
 * New boxes are clones of a template (a group with its text element, and a line), one per look:
 * cloning copies the attributes natively instead of one `setAttribute` call each, which is most of
 * the cost of making ~500 boxes in one pass.
 */
const templates = new Map<string, SVGGElement>();
let spanTemplate: SVGTSpanElement | undefined;

function span(text: string): SVGTSpanElement {
  if (!spanTemplate) {
    spanTemplate = document.createElementNS(SVG_NS, 'tspan');
    spanTemplate.setAttribute('x', '0');
    spanTemplate.setAttribute('dy', '1.2em');
  }
  const tspan = spanTemplate.cloneNode(false) as SVGTSpanElement;
  tspan.textContent = text;
  return tspan;
}

function newTextGroup(layerId: string, color: string, fontFamily: string, fontSize: string): SVGGElement {
  const key = `${layerId}\n${color}\n${fontFamily}\n${fontSize}`;
  let template = templates.get(key);
  if (!template) {
    template = document.createElementNS(SVG_NS, 'g');
    const text = document.createElementNS(SVG_NS, 'text');
    text.setAttribute('x', '0');
    text.setAttribute('y', '0');
    text.setAttribute('fill', color);
    text.setAttribute('font-family', fontFamily);
    text.setAttribute('font-size', fontSize);
    text.setAttribute(
      'style',
      'user-select: none; pointer-events: none; -webkit-tap-highlight-color:  rgba(255, 255, 255, 0);' +
        `filter:url(#shadow-${layerId});`,
    );
    text.setAttribute('pointer-events', 'visible');
    template.appendChild(text);
    if (templates.size > 200) templates.clear();
    templates.set(key, template);
  }
  return template.cloneNode(true) as SVGGElement;
}

function setIfChanged(element: Element, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

/** Cornerstone's drawTextBox (same DOM and cache key), its box computed instead of measured. */
export function drawTextBoxFast(
  helper: SvgDrawingHelper,
  annotationUID: string,
  textUID: string,
  textLines: string[],
  position: Point2,
  style: TextBoxStyle,
): Box {
  const fontFamily = style.fontFamily || DEFAULT_FONT_FAMILY;
  const fontSize = style.fontSize || DEFAULT_FONT_SIZE;
  const color = style.color || DEFAULT_COLOR;
  const x = position[0] + PADDING;
  const y = position[1] + PADDING;
  const hash = `${annotationUID}::text::${textUID}`;
  let group = helper.getSvgNode(hash) as SVGGElement | undefined;
  let text: SVGTextElement;
  if (group) {
    text = group.querySelector('text')!;
    const spans = Array.from(text.children);
    spans.forEach((tspan, i) => {
      const line = textLines[i] ?? '';
      if (tspan.textContent !== line) tspan.textContent = line;
    });
    for (let i = spans.length; i < textLines.length; i++) text.appendChild(span(textLines[i] ?? ''));
    setIfChanged(text, 'fill', color);
    setIfChanged(text, 'font-size', fontSize);
    setIfChanged(text, 'font-family', fontFamily);
    setIfChanged(group, 'transform', `translate(${x} ${y})`);
    setIfChanged(group, 'data-annotation-uid', annotationUID);
    helper.setNodeTouched(hash);
  } else {
    group = newTextGroup(helper.svgLayerElement.id, color, fontFamily, fontSize);
    group.setAttribute('data-annotation-uid', annotationUID);
    group.setAttribute('transform', `translate(${x} ${y})`);
    text = group.firstChild as SVGTextElement;
    for (const line of textLines) text.appendChild(span(line));
    helper.appendNode(group, hash);
  }
  const lines = Math.max(textLines.length, text.children.length);
  const measured = textBoundingBox(
    Array.from({ length: lines }, (_, i) => textLines[i] ?? ''),
    fontFamily,
    fontSize,
  );
  const box = backgroundOf(group, text, measured, style);
  return { x: x + box.x, y: y + box.y, width: box.width, height: box.height };
}

/** Cornerstone's background rectangle (only with a background colour; none by default). */
function backgroundOf(group: SVGGElement, text: SVGTextElement, measured: Box, style: TextBoxStyle): Box {
  let rect = group.querySelector('rect.background');
  if (!style.background) {
    if (rect) group.removeChild(rect);
    return measured;
  }
  const margin = Number(style.textBoxMargin ?? 0) || 0;
  if (!rect) {
    rect = document.createElementNS(SVG_NS, 'rect');
    rect.setAttribute('class', 'background');
    group.insertBefore(rect, group.firstChild);
  }
  const radius = String(style.textBoxBorderRadius ?? 0);
  const attributes: Record<string, string> = {
    x: String(measured.x),
    y: String(measured.y),
    width: String(measured.width + margin * 2),
    height: String(measured.height + margin * 2),
    fill: style.background,
    rx: radius,
    ry: radius,
  };
  for (const [name, value] of Object.entries(attributes)) setIfChanged(rect, name, value);
  if (margin) {
    Array.from(text.querySelectorAll('tspan')).forEach((tspan, i) => {
      if (i === 0) tspan.setAttribute('y', String(margin));
      tspan.setAttribute('x', String(margin));
    });
  }
  return {
    x: measured.x,
    y: measured.y,
    width: measured.width + margin * 2,
    height: measured.height + margin * 2,
  };
}

function closest(points: Point2[], target: Point2): Point2 {
  let best: Point2 = [0, 0];
  let distance = Infinity;
  for (const point of points) {
    const d = Math.hypot(target[0] - point[0], target[1] - point[1]);
    if (d < distance) [best, distance] = [[point[0], point[1]], d];
  }
  return best;
}

/** Cornerstone's drawLink: a dashed line from the nearest anchor to the nearest side of the box. */
function drawLink(
  helper: SvgDrawingHelper,
  annotationUID: string,
  linkUID: string,
  anchors: Point2[],
  reference: Point2,
  box: Box,
  style: TextBoxStyle,
): void {
  const start = anchors.length > 0 ? closest(anchors, reference) : reference;
  const sides: Point2[] = [
    [box.x + box.width / 2, box.y],
    [box.x, box.y + box.height / 2],
    [box.x + box.width / 2, box.y + box.height],
    [box.x + box.width, box.y + box.height / 2],
  ];
  const end = closest(sides, start);
  const options = { color: DEFAULT_COLOR, lineWidth: '1', lineDash: '2,3', ...style };
  const lineUID = `link-${linkUID}`;
  if (helper.getSvgNode(`${annotationUID}::line::${lineUID}`)) {
    drawing.drawLine(helper, annotationUID, lineUID, start, end, options);
  } else newLinkLine(helper, annotationUID, lineUID, start, end, options);
}

const lineTemplates = new Map<string, SVGLineElement>();

/**
 * Cornerstone's drawLine for a line not drawn yet: the same element, attributes (in the same
 * order) and cache key, cloned from a template of its look so that only the end points are set.
 */
function newLinkLine(
  helper: SvgDrawingHelper,
  annotationUID: string,
  lineUID: string,
  start: Point2,
  end: Point2,
  options: TextBoxStyle & { width?: number; strokeOpacity?: number },
): void {
  if (Number.isNaN(start[0]) || Number.isNaN(start[1]) || Number.isNaN(end[0]) || Number.isNaN(end[1]))
    return;
  const layerId = helper.svgLayerElement.id;
  // drawLine's defaults apply to undefined options only (destructuring defaults).
  const color = options.color === undefined ? 'rgb(0, 255, 0)' : options.color;
  const width = options.width === undefined ? 10 : options.width;
  const look: Record<string, unknown> = {
    stroke: options.textBoxLinkLineColor || color,
    filter: options.shadow ? `url(#shadow-${layerId});` : '',
    'stroke-width': options.lineWidth || width,
    'stroke-dasharray': options.lineDash,
    'stroke-opacity': options.strokeOpacity === undefined ? 1 : options.strokeOpacity,
  };
  const key = JSON.stringify(look);
  let template = lineTemplates.get(key);
  if (!template) {
    template = document.createElementNS(SVG_NS, 'line');
    for (const name of ['x1', 'y1', 'x2', 'y2']) template.setAttribute(name, '0');
    for (const [name, value] of Object.entries(look)) {
      if (value !== undefined && value !== '') template.setAttribute(name, String(value));
    }
    if (lineTemplates.size > 200) lineTemplates.clear();
    lineTemplates.set(key, template);
  }
  const line = template.cloneNode(false) as SVGLineElement;
  line.setAttribute('x1', `${start[0]}`);
  line.setAttribute('y1', `${start[1]}`);
  line.setAttribute('x2', `${end[0]}`);
  line.setAttribute('y2', `${end[1]}`);
  helper.appendNode(line, `${annotationUID}::line::${lineUID}`);
}

function emptyTextBox() {
  return {
    hasMoved: false,
    worldPosition: [0, 0, 0] as CoreTypes.Point3,
    worldBoundingBox: {
      topLeft: [0, 0, 0] as CoreTypes.Point3,
      topRight: [0, 0, 0] as CoreTypes.Point3,
      bottomLeft: [0, 0, 0] as CoreTypes.Point3,
      bottomRight: [0, 0, 0] as CoreTypes.Point3,
    },
  };
}

/** Cornerstone's renderLinkedTextBoxAnnotation on the fast path above. */
function renderLinkedTextBoxAnnotation(this: AnnotationTool, options: RenderOptions): boolean {
  const { enabledElement, svgDrawingHelper, annotation, textLines, canvasCoordinates } = options;
  const { viewport } = enabledElement;
  const { annotationUID, data } = annotation;
  const textBoxUID = options.textBoxUID ?? '1';
  const style = (
    this as unknown as { getLinkedTextBoxStyle(specifier: unknown, annotation: unknown): TextBoxStyle }
  ).getLinkedTextBoxStyle(options.styleSpecifier, annotation);
  const handles = data.handles as { textBox?: ReturnType<typeof emptyTextBox> };
  if (!style.visibility) {
    handles.textBox = emptyTextBox();
    return false;
  }
  handles.textBox ??= emptyTextBox();
  const textBox = handles.textBox;
  const pass = passOf(svgDrawingHelper, viewport);
  let position: Point2;
  if (!textBox.hasMoved) {
    position = placeTextBox(options.placementPoints ?? canvasCoordinates, textLines, pass.grid);
    textBox.worldPosition = pass.toWorld(position);
  } else position = pass.toCanvas(textBox.worldPosition);
  const box = drawTextBoxFast(svgDrawingHelper, annotationUID!, textBoxUID, textLines, position, style);
  pass.grid.add(box);
  drawLink(svgDrawingHelper, annotationUID!, textBoxUID, canvasCoordinates, position, box, style);
  const { x: left, y: top, width, height } = box;
  textBox.worldBoundingBox = {
    topLeft: pass.toWorld([left, top]),
    topRight: pass.toWorld([left + width, top]),
    bottomLeft: pass.toWorld([left, top + height]),
    bottomRight: pass.toWorld([left + width, top + height]),
  };
  return true;
}

type RenderAnnotation = (
  this: unknown,
  enabledElement: CoreTypes.IEnabledElement,
  helper: SvgDrawingHelper,
  ...rest: unknown[]
) => unknown;

const passConverting = new WeakSet<RenderAnnotation>();

/**
 * A text box's style by annotation while a tool draws: Cornerstone asks for it twice per
 * annotation (`getAnnotationStyle`, then the text box), eleven style lookups each time, and it
 * cannot change within one drawing.
 */
let textBoxStyles: WeakMap<object, TextBoxStyle> | null = null;

type TextBoxStyleOf = (this: unknown, specifier: unknown, annotation: object) => TextBoxStyle;

function memoizeTextBoxStyle(owner: object): void {
  const tool = owner as { getLinkedTextBoxStyle?: TextBoxStyleOf };
  const lookup = tool.getLinkedTextBoxStyle;
  if (typeof lookup !== 'function') return;
  tool.getLinkedTextBoxStyle = function (this: unknown, specifier, annotation) {
    const memo = textBoxStyles;
    if (!memo || !annotation) return lookup.call(this, specifier, annotation);
    let style = memo.get(annotation);
    if (!style) {
      style = lookup.call(this, specifier, annotation);
      memo.set(annotation, style);
    }
    return style;
  };
}

/**
 * World → canvas through the drawing pass's plane map while a tool draws on a CPU stack viewport
 * (docs/annotation.md "Speed"): Cornerstone's CPU `worldToCanvas` rebuilds the image data and the
 * pixel transform on every call (each handle and text anchor of every annotation), while within
 * one pass the camera does not move and the map is affine, so the pass's map gives the same
 * points. The map is made at the first conversion of the pass; the viewport's own conversion is
 * put back when the tool is done. `owner` is a tool instance (Cornerstone's tools define
 * `renderAnnotation` per instance) or a prototype.
 */
export function convertOncePerPass(owner: object): void {
  const holder = owner as { renderAnnotation?: RenderAnnotation };
  const original = holder.renderAnnotation;
  if (typeof original !== 'function' || passConverting.has(original)) return;
  memoizeTextBoxStyle(owner);
  const render: RenderAnnotation = function (this: unknown, enabledElement, helper, ...rest) {
    const outer = textBoxStyles;
    textBoxStyles = new WeakMap();
    try {
      return convertingRender.call(this, enabledElement, helper, ...rest);
    } finally {
      textBoxStyles = outer;
    }
  };
  const convertingRender: RenderAnnotation = function (this: unknown, enabledElement, helper, ...rest) {
    const viewport = enabledElement?.viewport as
      (Converter & ViewportSize & { type?: string; useCPURendering?: boolean }) | undefined;
    if (!viewport || !helper || viewport.type !== 'stack' || viewport.useCPURendering !== true)
      return original.call(this, enabledElement, helper, ...rest);
    const own = Object.prototype.hasOwnProperty.call(viewport, 'worldToCanvas');
    const previous = viewport.worldToCanvas;
    viewport.worldToCanvas = (point) => {
      const pass = passOf(helper, viewport);
      return pass.planar ? pass.toCanvas(point) : previous.call(viewport, point);
    };
    try {
      return original.call(this, enabledElement, helper, ...rest);
    } finally {
      if (own) viewport.worldToCanvas = previous;
      else delete (viewport as Partial<Converter>).worldToCanvas;
    }
  };
  passConverting.add(render);
  holder.renderAnnotation = render;
}

let installed = false;

/** Puts the fast text boxes in place of Cornerstone's (once per page). */
export function installFastTextBoxes(): void {
  if (installed) return;
  installed = true;
  (
    AnnotationTool.prototype as unknown as { renderLinkedTextBoxAnnotation: unknown }
  ).renderLinkedTextBoxAnnotation = renderLinkedTextBoxAnnotation;
}
