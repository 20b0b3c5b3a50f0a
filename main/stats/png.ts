/**
 * A dashboard chart as a PNG, drawn in main (issue #11 item 4): the renderer's very ECharts option,
 * rendered by ECharts' server-side SVG renderer (`ssr: true`, no DOM) and rasterised by resvg, with
 * the research-use notice under the chart. The same in Electron and the web host, and offline:
 * fonts are the system's (Noto Sans CJK for Chinese where installed).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import type * as EChartsModule from 'echarts';
import { AppError, ErrorCode } from '../../shared/errors.js';

/** Chinese needs a CJK font: Noto Sans CJK where the system has it (Debian fonts-noto-cjk), else the system's default. */
const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

/** Space under the chart for the notice (px). */
const NOTICE_HEIGHT = 28;

let loaded: typeof EChartsModule | null = null;

/**
 * ECharts, loaded on first use and not when main starts: its bundled build (`require`, one file,
 * ~0.13 s CPU) instead of its ES modules (hundreds of files, ~0.8 s CPU on every start, measured
 * on this machine). docs/statistics.md "Speed".
 */
export function loadCharts(): typeof EChartsModule {
  loaded ??= createRequire(import.meta.url)('echarts') as typeof EChartsModule;
  return loaded;
}

let warmed = false;

/**
 * Loads ECharts and draws one small chart, so that the first export does not pay for the module
 * and the first-chart code warm-up (once per process; the statistics service calls it in idle time
 * after its first dashboard answer, off the request path).
 */
export function warmCharts(): void {
  if (warmed) return;
  warmed = true;
  chartSvg(
    {
      xAxis: { type: 'category', data: ['a', 'b'] },
      yAxis: { type: 'value' },
      legend: {},
      series: [{ type: 'bar', name: 'n', data: [1, 2] }],
    },
    160,
    120,
    'warm-up',
  );
}

/**
 * The chart as an SVG string (tests read it; PNG export rasterises it). `keepTooltip`: draw with the
 * option's tooltip (tests show it changes nothing in the image).
 */
export function chartSvg(
  option: Record<string, unknown>,
  width: number,
  height: number,
  notice: string,
  { keepTooltip = false }: { keepTooltip?: boolean } = {},
): string {
  const chart = loadCharts().init(null, null, {
    renderer: 'svg',
    ssr: true,
    width,
    height: height + NOTICE_HEIGHT,
  });
  try {
    const grid = (option['grid'] ?? {}) as Record<string, unknown>;
    const bottom = typeof grid['bottom'] === 'number' ? grid['bottom'] : 16;
    // A drawn image has no pointer: the tooltip (and the axis pointer it brings) draws nothing in
    // it, so it is left out (the same SVG, ~10 % less work per chart; docs/statistics.md "Speed").
    const { tooltip, ...drawn } = option;
    if (keepTooltip) drawn['tooltip'] = tooltip;
    chart.setOption({
      ...drawn,
      animation: false,
      backgroundColor: '#ffffff',
      ...(option['grid'] ? { grid: { ...grid, bottom: bottom + NOTICE_HEIGHT } } : {}),
      graphic: [
        {
          type: 'text',
          left: 12,
          bottom: 8,
          style: {
            text: notice,
            fill: '#6b7280',
            fontSize: 12,
            fontFamily: 'Noto Sans CJK SC, DejaVu Sans, sans-serif',
          },
        },
      ],
    });
    return chart.renderToSVGString();
  } catch (error) {
    throw new AppError(ErrorCode.InvalidRequest, 'This chart could not be drawn for export.', {
      cause: error,
    });
  } finally {
    chart.dispose();
  }
}

export function chartPng(
  option: Record<string, unknown>,
  width: number,
  height: number,
  notice: string,
): { png: Buffer; width: number; height: number } {
  const svg = chartSvg(option, width, height, notice);
  // The system's fonts (resvg reads them lazily): loading one large CJK file alone was slower.
  const rendered = new Resvg(svg, {
    background: '#ffffff',
    font: {
      loadSystemFonts: true,
      defaultFontFamily: fs.existsSync(CJK_FONT) ? 'Noto Sans CJK SC' : 'sans-serif',
    },
  }).render();
  return { png: rendered.asPng(), width: rendered.width, height: rendered.height };
}
