/**
 * The overlay's per-image text without React or i18next on the scroll path: each translated
 * string is split once per language into its fixed parts and its placeholders (`textTemplate`),
 * and `overlayFields` turns a readout into the fields of the two bottom corners and the edge
 * letters — what each shows, its test attributes, whether it is there at all. Pure: the DOM
 * writer (overlayWriter.ts) applies the result, the unit tests read it.
 */
import {
  type EdgeMarkers,
  type ImageAttributes,
  type PixelReadout,
  formatValue,
} from '../imaging/imageReadout.js';
import type { OverlayField } from '../stores/useReadingStore.js';

/** A translation function as react-i18next gives it (key plus interpolation values). */
export type Translate = (key: string, values: Record<string, string>) => string;

/** A translated string with its placeholders filled in by position. */
export type TextTemplate = (...values: (string | number)[]) => string;

/**
 * Translates `key` once with marked placeholders and returns a function that fills them: the
 * same string i18next would give for those values, at the cost of a few concatenations.
 */
export function textTemplate(t: Translate, key: string, names: readonly string[]): TextTemplate {
  const marks = Object.fromEntries(names.map((name, index) => [name, `\uE000${index}\uE001`]));
  // Odd entries are the placeholders' positions in `names`, even ones the text between them.
  const parts = t(key, marks).split(/\uE000(\d+)\uE001/);
  return (...values) => {
    let text = parts[0]!;
    for (let index = 1; index < parts.length; index += 2) {
      text += String(values[Number(parts[index])]) + parts[index + 1]!;
    }
    return text;
  };
}

/** The overlay's strings in the current language. */
export interface OverlayTexts {
  pixel: TextTemplate;
  pixelAt: TextTemplate;
  instance: TextTemplate;
  location: TextTemplate;
  thickness: TextTemplate;
  image: TextTemplate;
  windowLevel: TextTemplate;
  zoom: TextTemplate;
}

export function overlayTexts(t: Translate): OverlayTexts {
  return {
    pixel: textTemplate(t, 'reading.pixel', ['value']),
    pixelAt: textTemplate(t, 'reading.pixelAt', ['x', 'y']),
    instance: textTemplate(t, 'reading.instance', ['number']),
    location: textTemplate(t, 'reading.location', ['location']),
    thickness: textTemplate(t, 'reading.thickness', ['thickness']),
    image: textTemplate(t, 'viewer.image', ['index', 'total']),
    windowLevel: textTemplate(t, 'viewer.windowLevel', ['width', 'center']),
    zoom: textTemplate(t, 'viewer.zoom', ['zoom']),
  };
}

/** What the overlay shows of one image (the readout without the viewport). */
export interface OverlayReadout {
  index: number;
  total: number;
  width: number | null;
  center: number | null;
  zoomPercent: number;
  markers: EdgeMarkers | null;
  attributes: ImageAttributes;
  pointer: PixelReadout | null;
  /** The pixel line is faded out while a labelmap tool paints (useViewportReadout.ts). */
  pointerHeld?: boolean;
}

/** One line of a corner: absent (not in the DOM), or there with its text, attributes, hidden flag. */
export interface OverlayLine {
  present: boolean;
  hidden: boolean;
  text: string;
  attributes: Record<string, string>;
  /** Transparent but in place: a change of it is the compositor's alone (no layout, no paint). */
  faded?: boolean;
}

export type BottomLeftField = 'pixel' | 'position' | 'thickness' | 'image';
export type BottomRightField = 'window' | 'zoom';

export interface OverlayFields {
  bottomLeft: Record<BottomLeftField, OverlayLine>;
  bottomRight: Record<BottomRightField, OverlayLine>;
  /** The four edge letters, or null when hidden or unknown. */
  markers: EdgeMarkers | null;
}

/** In each corner's order, top to bottom. */
export const bottomLeftOrder: readonly BottomLeftField[] = ['pixel', 'position', 'thickness', 'image'];
export const bottomRightOrder: readonly BottomRightField[] = ['window', 'zoom'];

const absent: OverlayLine = { present: false, hidden: false, text: '', attributes: {} };

export function overlayFields(
  readout: OverlayReadout,
  hiddenFields: readonly OverlayField[],
  texts: OverlayTexts,
): OverlayFields {
  const shown = (field: OverlayField) => !hiddenFields.includes(field);
  const { attributes, pointer } = readout;
  const units = attributes.units;

  let pixel = absent;
  if (shown('pixel') && pointer) {
    const value = `${pointer.values.map(formatValue).join(' ')}${units ? ` ${units}` : ''}`;
    pixel = {
      present: true,
      hidden: false,
      text: `${texts.pixel(value)} ${texts.pixelAt(pointer.column, pointer.row)}`,
      faded: readout.pointerHeld === true,
      // Not data-column / data-row: the worklist's style rules select on data-column, so a
      // change of it restyled this line at every pointer move (a brush stroke's too).
      attributes: {
        'data-value': pointer.values.join(','),
        'data-pixel-column': String(pointer.column),
        'data-pixel-row': String(pointer.row),
        'data-units': units,
      },
    };
  }

  let position = absent;
  if (shown('position') && (attributes.instanceNumber !== null || attributes.sliceLocation !== null)) {
    const parts: string[] = [];
    if (attributes.instanceNumber !== null) parts.push(texts.instance(attributes.instanceNumber));
    if (attributes.sliceLocation !== null) parts.push(texts.location(formatValue(attributes.sliceLocation)));
    position = {
      present: true,
      hidden: false,
      text: parts.join(' · '),
      attributes: {
        'data-instance': attributes.instanceNumber === null ? '' : String(attributes.instanceNumber),
        'data-location': attributes.sliceLocation === null ? '' : String(attributes.sliceLocation),
      },
    };
  }

  const thickness: OverlayLine =
    shown('thickness') && attributes.sliceThickness !== null
      ? {
          present: true,
          hidden: false,
          text: texts.thickness(formatValue(attributes.sliceThickness)),
          attributes: {},
        }
      : absent;

  // The image number stays for tests and navigation; hiding it hides its text only.
  const image: OverlayLine = {
    present: true,
    hidden: !shown('image'),
    text: texts.image(readout.index + 1, readout.total),
    attributes: { 'data-index': String(readout.index + 1), 'data-total': String(readout.total) },
  };

  const window: OverlayLine =
    readout.width !== null && readout.center !== null
      ? {
          present: true,
          hidden: !shown('window'),
          text: texts.windowLevel(readout.width, readout.center),
          attributes: { 'data-width': String(readout.width), 'data-center': String(readout.center) },
        }
      : absent;

  const zoom: OverlayLine = {
    present: true,
    hidden: !shown('zoom'),
    text: texts.zoom(readout.zoomPercent),
    attributes: {},
  };

  return {
    bottomLeft: { pixel, position, thickness, image },
    bottomRight: { window, zoom },
    markers: shown('orientation') ? readout.markers : null,
  };
}
