/**
 * Every AI finding in the list has a readable title (docs/ai-review.md): the schema label's name in
 * the reader's language, else the SEG segment's own label, else the label id the AI named, else a
 * title from its type — in English and Chinese, never empty.
 */
import { createInstance } from 'i18next';
import { describe, expect, it } from 'vitest';
import type { AiFinding } from '../../../shared/ai.js';
import { MEASUREMENT_TOOLS } from '../../../shared/annotation.js';
import { findingTitle } from '../../../renderer/src/ai/findingTitle.js';
import { en } from '../../../renderer/src/i18n/en.js';
import { zhCN } from '../../../renderer/src/i18n/zh-CN.js';

const i18n = createInstance();
void i18n.init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: 'en',
  fallbackLng: 'en',
  initAsync: false,
});
const tEn = i18n.getFixedT('en');
const tZh = i18n.getFixedT('zh-CN');

const schema = {
  labels: [{ id: 'mass', name: { en: 'Mass', 'zh-CN': '肿块' } }],
} as unknown as Parameters<typeof findingTitle>[1];

function finding(options: {
  labelId?: string;
  tool?: string;
  segment?: { name: string; segmentIndex: number };
}) {
  return {
    annotationUid: 'u',
    aiVersion: {
      versionId: 'v',
      tool: options.tool ?? 'Length',
      kind: options.segment ? 'segmentation' : 'measurement',
      ...(options.labelId !== undefined ? { labelId: options.labelId } : {}),
    },
    provenance: { model: 'm' },
    decision: null,
    ...(options.segment
      ? {
          segment: {
            annotationUid: 's',
            versionId: 'sv',
            segmentIndex: options.segment.segmentIndex,
            name: options.segment.name,
            color: '#ffffff',
            voxels: 1,
          },
        }
      : {}),
  } as unknown as AiFinding;
}

describe('AI finding titles', () => {
  it("a label of the schema is named in the reader's language", () => {
    expect(findingTitle(finding({ labelId: 'mass' }), schema, 'en', tEn)).toBe('Mass');
    expect(findingTitle(finding({ labelId: 'mass' }), schema, 'zh-CN', tZh)).toBe('肿块');
  });

  it("a segment without a schema label is titled by the segment's own label", () => {
    const other = finding({ segment: { name: 'Other', segmentIndex: 4 } });
    expect(findingTitle(other, schema, 'en', tEn)).toBe('Other');
    expect(findingTitle(other, schema, 'zh-CN', tZh)).toBe('Other');
  });

  it('a label id outside the schema is shown as named by the AI object', () => {
    expect(findingTitle(finding({ labelId: 'nodule' }), schema, 'en', tEn)).toBe('nodule');
  });

  it('without any label or name, the type titles it', () => {
    expect(findingTitle(finding({ tool: 'Length' }), schema, 'en', tEn)).toBe('AI finding · length');
    expect(findingTitle(finding({ tool: 'Length' }), schema, 'zh-CN', tZh)).toBe('AI 发现 · 长度');
    expect(findingTitle(finding({ tool: 'SomethingNew' }), schema, 'en', tEn)).toBe(
      'AI finding · measurement',
    );
    // Every tool of the palette has a name of its own in both languages.
    for (const tool of MEASUREMENT_TOOLS)
      for (const t of [tEn, tZh]) {
        const title = findingTitle(finding({ tool }), schema, 'en', t);
        expect(title, tool).not.toBe(findingTitle(finding({ tool: 'SomethingNew' }), schema, 'en', t));
        expect(title, tool).not.toContain('toolNames');
      }
    const unnamed = finding({ segment: { name: '  ', segmentIndex: 3 } });
    expect(findingTitle(unnamed, schema, 'en', tEn)).toBe('AI segment 3');
    expect(findingTitle(unnamed, schema, 'zh-CN', tZh)).toBe('AI 分段 3');
  });
});
