/**
 * Drawing on a stack viewport with real pointer events, and the label schema the annotation
 * specs load. The generated CT (test/fixtures/ct-series.ts) is 512² at 0.7 mm, fitted and centred
 * in the viewport, so a page point maps to an image point by the fit scale.
 */
import { type Page, expect } from '@playwright/test';
import { DEFAULT_LABEL_SCHEMA } from '../../../shared/default-label-schema.js';
import { PIXEL_SPACING_MM } from '../../fixtures/ct-series.js';

/** A built-in label's name, colour and kind (shared/default-label-schema.ts), not a copy of them. */
function builtIn(id: string) {
  const label = DEFAULT_LABEL_SCHEMA.labels.find((candidate) => candidate.id === id);
  if (!label) throw new Error(`no built-in label ${id}`);
  return { id, name: label.name, color: label.color, kind: label.kind };
}

/**
 * The annotation specs' schema: the built-in lesion and nodule with the tools and required
 * attributes the specs exercise, two labels of their own, and a required study question and a
 * series question.
 */
export const TEST_SCHEMA = {
  id: 'e2e-annotation',
  name: 'E2E annotation schema',
  version: '1',
  labels: [
    {
      ...builtIn('lesion'),
      tools: [
        'Length',
        'Angle',
        'CobbAngle',
        'Bidirectional',
        'RectangleROI',
        'EllipticalROI',
        'CircleROI',
        'PlanarFreehandROI',
      ],
      attributes: [
        {
          id: 'margin',
          name: { en: 'Margin', 'zh-CN': '边缘' },
          type: 'choice',
          required: true,
          options: [
            { id: 'smooth', name: { en: 'Smooth', 'zh-CN': '光滑' } },
            { id: 'spiculated', name: { en: 'Spiculated', 'zh-CN': '毛刺' } },
          ],
        },
        {
          id: 'count',
          name: { en: 'Count', 'zh-CN': '数量' },
          type: 'number',
          required: true,
          min: 1,
          max: 20,
        },
        { id: 'note', name: { en: 'Note', 'zh-CN': '备注' }, type: 'text', required: false },
      ],
    },
    {
      ...builtIn('nodule'),
      tools: ['Length', 'Bidirectional', 'RectangleROI', 'EllipticalROI', 'CircleROI', 'PlanarFreehandROI'],
      attributes: [],
    },
    {
      id: 'calcification',
      name: { en: 'Calcification', 'zh-CN': '钙化' },
      color: '#ffe119',
      kind: 'region',
      tools: [
        'Length',
        'Angle',
        'CobbAngle',
        'RectangleROI',
        'EllipticalROI',
        'CircleROI',
        'PlanarFreehandROI',
      ],
      attributes: [],
    },
    {
      id: 'landmark',
      name: { en: 'Landmark', 'zh-CN': '标志点' },
      color: '#4363d8',
      kind: 'measurement',
      tools: ['Probe', 'ArrowAnnotate'],
      attributes: [],
    },
  ],
  questions: [
    {
      id: 'quality',
      level: 'study',
      name: { en: 'Image quality', 'zh-CN': '图像质量' },
      type: 'single',
      required: true,
      options: [
        { id: 'good', name: { en: 'Good', 'zh-CN': '良好' } },
        { id: 'poor', name: { en: 'Poor', 'zh-CN': '差' } },
      ],
    },
    {
      id: 'artifacts',
      level: 'series',
      name: { en: 'Artifacts', 'zh-CN': '伪影' },
      type: 'multiple',
      required: false,
      options: [
        { id: 'motion', name: { en: 'Motion', 'zh-CN': '运动' } },
        { id: 'metal', name: { en: 'Metal', 'zh-CN': '金属' } },
      ],
    },
  ],
};

/** Loads a project label schema through the page's own API (what the settings screen does). */
export async function loadSchema(page: Page, schema: unknown): Promise<void> {
  const answer = await page.evaluate(async (json) => {
    const response = await fetch('/api/rpc/schema.load', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json }),
    });
    return { status: response.status, body: (await response.json()) as { ok: boolean } };
  }, JSON.stringify(schema));
  expect(answer).toMatchObject({ status: 200, body: { ok: true } });
}

export interface ImageFrame {
  /** Page point of the image centre. */
  cx: number;
  cy: number;
  /** Page pixels per image pixel. */
  scale: number;
  size: number;
}

/** Where viewport `slot`'s fitted image is on the page. */
export async function imageFrame(page: Page, size: number, slot = 0): Promise<ImageFrame> {
  const box = await page.getByTestId(`viewport-element-${slot}`).locator('canvas').first().boundingBox();
  if (!box) throw new Error('the viewport has no canvas');
  return {
    cx: box.x + box.width / 2,
    cy: box.y + box.height / 2,
    scale: Math.min(box.width, box.height) / size,
    size,
  };
}

/**
 * The page point nearest image pixel (x, y) (0-based, pixel centres), on whole page pixels: the
 * browser reports mouse positions in whole CSS pixels, so the drawn point is exactly this one.
 */
export function pageAt(frame: ImageFrame, x: number, y: number): { x: number; y: number } {
  return {
    x: Math.round(frame.cx + (x - (frame.size - 1) / 2) * frame.scale),
    y: Math.round(frame.cy + (y - (frame.size - 1) / 2) * frame.scale),
  };
}

/** Millimetres between two page points on the image. */
export function mmBetween(
  frame: ImageFrame,
  a: { x: number; y: number },
  b: { x: number; y: number },
): number {
  return (Math.hypot(b.x - a.x, b.y - a.y) / frame.scale) * PIXEL_SPACING_MM;
}

export async function drag(
  page: Page,
  from: { x: number; y: number },
  to: { x: number; y: number },
  steps = 8,
) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps });
  // Cornerstone applies a drag in an animation frame: let the last move land before the release.
  await settle(page);
  await page.mouse.up();
}

/** Two animation frames: Cornerstone has handled the pointer events sent so far. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
}

export async function click(page: Page, at: { x: number; y: number }) {
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  await page.mouse.up();
}

/** A closed freehand loop: a circle of `radius` image pixels around (x, y), drawn as one drag. */
export async function drawLoop(page: Page, frame: ImageFrame, x: number, y: number, radius: number) {
  const points = Array.from({ length: 41 }, (_, i) => {
    const angle = (i / 40) * 2 * Math.PI;
    return pageAt(frame, x + radius * Math.cos(angle), y + radius * Math.sin(angle));
  });
  await page.mouse.move(points[0]!.x, points[0]!.y);
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(point.x, point.y, { steps: 2 });
  await settle(page);
  await page.mouse.up();
}
