/**
 * The overlay's per-image text (renderer/src/viewer/overlayText.ts): translated once per language
 * into templates, filled per image without i18next; the fields each corner shows.
 */
import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../../renderer/src/i18n/en.js';
import { zhCN } from '../../../renderer/src/i18n/zh-CN.js';
import {
  type OverlayReadout,
  overlayFields,
  overlayTexts,
  textTemplate,
} from '../../../renderer/src/viewer/overlayText.js';

const i18n = i18next.createInstance();

beforeAll(async () => {
  await i18n.init({
    lng: 'en',
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    interpolation: { escapeValue: false },
  });
});

const translate = (lng: string) => (key: string, values: Record<string, string>) =>
  i18n.t(key, { ...values, lng });

const readout: OverlayReadout = {
  index: 16,
  total: 200,
  width: 400,
  center: 40,
  zoomPercent: 146,
  markers: { top: 'A', right: 'L', bottom: 'P', left: 'R' },
  attributes: { instanceNumber: 17, sliceLocation: -21.25, sliceThickness: 1.25, units: 'HU' },
  pointer: { column: 64, row: 70, values: [-1000] },
};

describe('overlay text templates', () => {
  it('fill in what i18next gives for the same values, in both languages', () => {
    for (const lng of ['en', 'zh-CN']) {
      const t = translate(lng);
      const image = textTemplate(t, 'viewer.image', ['index', 'total']);
      expect(image(17, 200)).toBe(i18n.t('viewer.image', { index: 17, total: 200, lng }));
      const windowLevel = textTemplate(t, 'viewer.windowLevel', ['width', 'center']);
      expect(windowLevel(400, -40)).toBe(i18n.t('viewer.windowLevel', { width: 400, center: -40, lng }));
      const at = textTemplate(t, 'reading.pixelAt', ['x', 'y']);
      expect(at(3, 4)).toBe('(3, 4)');
    }
  });

  it('keep placeholders in the translation’s order, whatever the order of the names', () => {
    const t = () => '\uE000' + '1\uE001 then \uE0000\uE001';
    // A template written "{{b}} then {{a}}" translates to the marks of b (1) then a (0).
    const swapped = textTemplate(t, 'any', ['a', 'b']);
    expect(swapped('A', 'B')).toBe('B then A');
  });
});

describe('overlay fields', () => {
  it('give each corner its lines, text and test attributes', () => {
    const fields = overlayFields(readout, [], overlayTexts(translate('en')));
    expect(fields.bottomLeft.pixel).toEqual({
      present: true,
      hidden: false,
      text: 'Val: -1000 HU (64, 70)',
      attributes: {
        'data-value': '-1000',
        'data-pixel-column': '64',
        'data-pixel-row': '70',
        'data-units': 'HU',
      },
      faded: false,
    });
    // While a labelmap tool paints: the same line, faded out.
    const held = overlayFields({ ...readout, pointerHeld: true }, [], overlayTexts(translate('en')));
    expect(held.bottomLeft.pixel).toEqual({ ...fields.bottomLeft.pixel, faded: true });
    expect(fields.bottomLeft.position.text).toBe('Inst: 17 · Loc: -21.25 mm');
    expect(fields.bottomLeft.position.attributes).toEqual({
      'data-instance': '17',
      'data-location': '-21.25',
    });
    expect(fields.bottomLeft.thickness.text).toBe('Thk: 1.25 mm');
    expect(fields.bottomLeft.image).toMatchObject({
      present: true,
      hidden: false,
      text: 'Im: 17 / 200',
      attributes: { 'data-index': '17', 'data-total': '200' },
    });
    expect(fields.bottomRight.window.text).toBe('W: 400 L: 40');
    expect(fields.bottomRight.zoom.text).toBe('Zoom: 146%');
    expect(fields.markers).toEqual(readout.markers);
  });

  it('leave out what is unknown or switched off; image, window and zoom are only hidden', () => {
    const texts = overlayTexts(translate('zh-CN'));
    const none = overlayFields(
      {
        ...readout,
        width: null,
        center: null,
        pointer: null,
        attributes: { instanceNumber: null, sliceLocation: null, sliceThickness: null, units: '' },
      },
      [],
      texts,
    );
    expect(none.bottomLeft.pixel.present).toBe(false);
    expect(none.bottomLeft.position.present).toBe(false);
    expect(none.bottomLeft.thickness.present).toBe(false);
    expect(none.bottomRight.window.present).toBe(false);
    expect(none.bottomLeft.image.text).toBe('图像: 17 / 200');

    const off = overlayFields(
      readout,
      ['pixel', 'position', 'thickness', 'image', 'window', 'zoom', 'orientation'],
      texts,
    );
    expect(off.bottomLeft.pixel.present).toBe(false);
    expect(off.bottomLeft.position.present).toBe(false);
    expect(off.bottomLeft.thickness.present).toBe(false);
    expect(off.bottomLeft.image).toMatchObject({ present: true, hidden: true });
    expect(off.bottomRight.window).toMatchObject({ present: true, hidden: true });
    expect(off.bottomRight.zoom).toMatchObject({ present: true, hidden: true });
    expect(off.markers).toBeNull();
  });

  it('show a location alone, and a dose without units', () => {
    const fields = overlayFields(
      {
        ...readout,
        attributes: { instanceNumber: null, sliceLocation: 2.5, sliceThickness: null, units: '' },
        pointer: { column: 1, row: 2, values: [0.79512345] },
      },
      [],
      overlayTexts(translate('en')),
    );
    expect(fields.bottomLeft.position.text).toBe('Loc: 2.5 mm');
    expect(fields.bottomLeft.position.attributes['data-instance']).toBe('');
    expect(fields.bottomLeft.pixel.text).toBe('Val: 0.7951 (1, 2)');
  });
});
