/** One ECharts chart drawn with the SVG renderer (the option is plain JSON from shared/stats-figures.ts). */
import { BarChart, PieChart } from 'echarts/charts';
import {
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([
  BarChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  GraphicComponent,
  SVGRenderer,
]);

export function Chart({
  option,
  height,
  testId,
}: {
  option: Record<string, unknown>;
  height: number;
  testId: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  // One ECharts instance per mounted chart; a new dashboard answer only replaces its option.
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const chart = echarts.init(element, null, { renderer: 'svg' });
    chartRef.current = chart;
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      chartRef.current = null;
      chart.dispose();
    };
  }, []);
  useEffect(() => {
    chartRef.current?.setOption(option, true);
  }, [option]);
  return <div ref={ref} className="stats-chart" style={{ height }} data-testid={testId} />;
}
