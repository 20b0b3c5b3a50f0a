/**
 * Calls main from a test through the web host's RPC route, as the page's own client does (same
 * origin, the session cookie). Shared by the e2e specs and the Chromium benchmarks (test/bench/).
 */
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';

interface Reply {
  ok: boolean;
  value?: unknown;
  error?: { code?: string; message?: string };
}

/** The method's answer; a refusal throws with the method's name and the error's message. */
export async function rpc<T = unknown>(page: Page, method: string, request: unknown): Promise<T> {
  const reply = await page.evaluate(
    async ({ method, request }) => {
      const response = await fetch(`/api/rpc/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
        credentials: 'same-origin',
      });
      return (await response.json()) as Reply;
    },
    { method, request },
  );
  if (!reply.ok) throw new Error(`${method}: ${reply.error?.message ?? JSON.stringify(reply.error)}`);
  return reply.value as T;
}

/** Where the copies of `storeCopiesOfFirst` go: copy i is moved by ((i % columns) − originColumn) · step px across and (⌊i / columns⌋ − originRow) · step px down. */
export interface CopyGrid {
  columns: number;
  step: number;
  originColumn: number;
  originRow: number;
}

/**
 * Stores `count − 1` copies of the study's first stored measurement beside it (new UIDs, no
 * parents, points moved on `grid`), 100 versions per `annotation.save`; answers how many
 * measurements the study then holds.
 */
export async function storeCopiesOfFirst(
  page: Page,
  studyInstanceUID: string,
  count: number,
  grid: CopyGrid,
): Promise<number> {
  const { heads } = await rpc<{ heads: Record<string, unknown>[] }>(page, 'annotation.list', {
    studyInstanceUID,
  });
  const template = heads[0];
  if (!template) throw new Error(`study ${studyInstanceUID} holds no measurement to copy`);
  const { author: _author, createdAt: _createdAt, ...rest } = template;
  const copies = [];
  for (let i = 1; i < count; i += 1) {
    const data = structuredClone(template['data']) as { data: { handles: { points: number[][] } } };
    for (const point of data.data.handles.points) {
      point[0] = point[0]! + ((i % grid.columns) - grid.originColumn) * grid.step;
      point[1] = point[1]! + (Math.floor(i / grid.columns) - grid.originRow) * grid.step;
    }
    copies.push({ ...rest, versionId: randomUUID(), annotationUid: randomUUID(), parentIds: [], data });
  }
  for (let i = 0; i < copies.length; i += 100) {
    await rpc(page, 'annotation.save', { versions: copies.slice(i, i + 100) });
  }
  return (await rpc<{ heads: unknown[] }>(page, 'annotation.list', { studyInstanceUID })).heads.length;
}
