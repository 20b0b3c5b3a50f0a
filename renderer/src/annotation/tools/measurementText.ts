/**
 * What a measurement measured, as Cornerstone computed it (its `cachedStats` for the image the
 * annotation is on), in a short line for the panel: "23.4 mm", "area 120 mm² · mean 35 HU …".
 */
import type { Annotation } from './geometry.js';

interface Stats {
  length?: number;
  width?: number;
  angle?: number;
  area?: number;
  mean?: number;
  stdDev?: number;
  min?: number;
  max?: number;
  value?: number | number[];
  unit?: string;
  areaUnit?: string;
  modalityUnit?: string;
  lengthUnits?: string;
  widthUnit?: string;
}

const round = (value: number, digits = 1) => {
  const factor = 10 ** digits;
  return String(Math.round(value * factor) / factor);
};

export function statsOf(annotation: Annotation): Stats | null {
  const cached = (annotation.data as { cachedStats?: Record<string, Stats> }).cachedStats;
  if (!cached) return null;
  const first = Object.values(cached).find((stats) => stats && Object.keys(stats).length > 0);
  return first ?? null;
}

export interface MeasurementFacts {
  /** The main value, as shown. */
  summary: string;
  /** Numbers for tests and export (mm, degrees, modality units). */
  values: Record<string, number>;
}

export function measurementFacts(annotation: Annotation): MeasurementFacts {
  const stats = statsOf(annotation);
  const tool = annotation.metadata?.toolName;
  const values: Record<string, number> = {};
  const parts: string[] = [];
  const unit = stats?.unit ?? 'mm';
  if (tool === 'ArrowAnnotate') {
    const text = (annotation.data as { label?: string }).label ?? '';
    return { summary: text ? `“${text}”` : '', values };
  }
  if (!stats) return { summary: '', values };
  const put = (key: keyof Stats, label: string, suffix: string, digits = 1) => {
    const value = stats[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    values[key] = value;
    parts.push(`${label}${round(value, digits)}${suffix}`);
  };
  switch (tool) {
    case 'Length':
      put('length', '', ` ${unit}`, 2);
      break;
    case 'Angle':
    case 'CobbAngle':
      put('angle', '', '°');
      break;
    case 'Bidirectional':
      put('length', 'L ', ` ${unit}`);
      put('width', 'W ', ` ${unit}`);
      break;
    case 'Probe': {
      const value = Array.isArray(stats.value) ? stats.value[0] : stats.value;
      if (typeof value === 'number') {
        values.value = value;
        parts.push(`${round(value)} ${stats.modalityUnit ?? ''}`.trim());
      }
      break;
    }
    default: {
      const modality = stats.modalityUnit ? ` ${stats.modalityUnit}` : '';
      put('area', '', ` ${stats.areaUnit ?? 'mm²'}`);
      put('mean', 'μ ', modality);
      put('stdDev', 'σ ', modality);
      put('min', 'min ', modality, 0);
      put('max', 'max ', modality, 0);
    }
  }
  return { summary: parts.join(' · '), values };
}
