/**
 * Writes the overlay's per-image fields straight into the DOM, from Cornerstone's events, with no
 * React render per image: React renders the overlay's structure (corners, header) once and on
 * configuration changes (fields shown, language); this writer owns the children of the two bottom
 * corners and of the edge letters' box. Each line is a `div` made once with one text node; a new
 * image changes that node's data and the attributes that changed, and the corner's children are
 * replaced only when a line comes or goes (the value under the pointer, an image without a slice
 * location). The lines are the same elements, test ids and attributes React rendered before.
 */
import type { EdgeMarkers } from '../imaging/imageReadout.js';
import {
  type OverlayFields,
  type OverlayLine,
  type OverlayReadout,
  type OverlayTexts,
  bottomLeftOrder,
  bottomRightOrder,
  overlayFields,
} from './overlayText.js';
import type { OverlayField } from '../stores/useReadingStore.js';

interface LineNode {
  element: HTMLDivElement;
  text: Text;
  /** What was written last, to write only what changed. */
  written: OverlayLine | null;
}

function lineNode(testId: string, className?: string): LineNode {
  const element = document.createElement('div');
  element.dataset['testid'] = testId;
  if (className) element.className = className;
  const text = document.createTextNode('');
  element.append(text);
  return { element, text, written: null };
}

function writeLine(node: LineNode, line: OverlayLine): void {
  const written = node.written;
  if (written?.text !== line.text) node.text.data = line.text;
  if (written?.hidden !== line.hidden) node.element.hidden = line.hidden;
  if ((written?.faded ?? false) !== (line.faded ?? false)) node.element.style.opacity = line.faded ? '0' : '';
  for (const [name, value] of Object.entries(line.attributes)) {
    if (written?.attributes[name] !== value) node.element.setAttribute(name, value);
  }
  node.written = line;
}

const markerSides = ['top', 'right', 'bottom', 'left'] as const;

export interface OverlayBoxes {
  bottomLeft: HTMLElement;
  bottomRight: HTMLElement;
  markers: HTMLElement;
}

export class OverlayWriter {
  private readonly left: Record<(typeof bottomLeftOrder)[number], LineNode> = {
    pixel: lineNode('overlay-pixel', 'viewport-overlay__pixel'),
    position: lineNode('overlay-position'),
    thickness: lineNode('overlay-thickness'),
    image: lineNode('overlay-image'),
  };
  private readonly right: Record<(typeof bottomRightOrder)[number], LineNode> = {
    window: lineNode('overlay-window'),
    zoom: lineNode('overlay-zoom'),
  };
  private readonly markerNodes = markerSides.map((side) => {
    const node = lineNode(
      `overlay-marker-${side}`,
      `viewport-overlay__marker viewport-overlay__marker--${side}`,
    );
    node.element.dataset['overlayBox'] = `marker-${side}`;
    return node;
  });
  /** Which lines each box holds now ('' before the first write, so the first write places them). */
  private leftShown: string | null = null;
  private rightShown: string | null = null;
  private markersShown: string | null = null;

  constructor(
    private readonly boxes: OverlayBoxes,
    private readonly texts: OverlayTexts,
    private readonly hiddenFields: readonly OverlayField[],
  ) {}

  write(readout: OverlayReadout): void {
    const fields: OverlayFields = overlayFields(readout, this.hiddenFields, this.texts);
    this.leftShown = place(
      this.boxes.bottomLeft,
      bottomLeftOrder,
      fields.bottomLeft,
      this.left,
      this.leftShown,
    );
    this.rightShown = place(
      this.boxes.bottomRight,
      bottomRightOrder,
      fields.bottomRight,
      this.right,
      this.rightShown,
    );
    this.writeMarkers(fields.markers);
  }

  private writeMarkers(markers: EdgeMarkers | null): void {
    const shown = markers ? 'all' : '';
    if (shown !== this.markersShown) {
      this.boxes.markers.replaceChildren(...(markers ? this.markerNodes.map((node) => node.element) : []));
      this.markersShown = shown;
    }
    if (!markers) return;
    markerSides.forEach((side, index) => {
      const node = this.markerNodes[index]!;
      if (node.text.data !== markers[side]) node.text.data = markers[side];
    });
  }
}

/** Writes a corner's lines; replaces the corner's children only when the set of lines changed. */
function place<Field extends string>(
  box: HTMLElement,
  order: readonly Field[],
  lines: Record<Field, OverlayLine>,
  nodes: Record<Field, LineNode>,
  shownBefore: string | null,
): string {
  const present = order.filter((field) => lines[field].present);
  const shown = present.join(',');
  for (const field of present) writeLine(nodes[field], lines[field]);
  if (shown !== shownBefore) box.replaceChildren(...present.map((field) => nodes[field].element));
  return shown;
}
