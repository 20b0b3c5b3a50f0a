/**
 * Held reasons and warnings of de-identification in the reader's language, by the engine's
 * stable codes, with the engine's English text where a code has no translation.
 */
import i18next, { type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { pixelReasonCodes } from '../../../main/deid/pixels/reason-codes.js';
import { heldReasonText, warningText } from '../../../renderer/src/deid/engineText.js';
import { en } from '../../../renderer/src/i18n/en.js';
import { zhCN } from '../../../renderer/src/i18n/zh-CN.js';

let t: TFunction;

beforeAll(async () => {
  const i18n = i18next.createInstance();
  t = await i18n.init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    lng: 'zh-CN',
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  });
});

describe('de-identification reasons and warnings in Chinese', () => {
  it('shows a held reason in Chinese by its code', () => {
    expect(heldReasonText(t, 'no-rule-ocr-off', 'no region rule matched and OCR is off')).toBe(
      '没有匹配的区域规则，且 OCR 已关闭',
    );
  });

  it('quotes the English detail of a reason that carries one', () => {
    expect(heldReasonText(t, 'conversion-type', 'conversion type WSD')).toBe(
      '转换类型表明非原始采集（conversion type WSD）',
    );
  });

  it('shows the English text for a reason coded `other`, without a code or with an unknown code', () => {
    expect(heldReasonText(t, 'other', 'something new')).toBe('something new');
    expect(heldReasonText(t, undefined, 'something new')).toBe('something new');
    expect(heldReasonText(t, 'not-a-code', 'something new')).toBe('something new');
  });

  it('shows a warning in Chinese by its code, and an unknown one in English', () => {
    expect(warningText(t, 'date-unshiftable', 'A date could not be shifted.')).toBe(
      '某日期无法平移（格式错误或不完整），已被删除。',
    );
    expect(warningText(t, 'not-a-code', 'Something happened.')).toBe('Something happened.');
  });

  it('has a translation in both languages for every reason code of the pixel cleaner', () => {
    const missing = pixelReasonCodes.filter(
      (code) => !(code in en.deid.heldReason) || !(code in zhCN.deid.heldReason),
    );
    expect(missing).toEqual([]);
  });
});
