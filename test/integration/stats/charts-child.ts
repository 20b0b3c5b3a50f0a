/**
 * Run by charts-load.test.ts in its own process (a fresh module cache): opens the app's services on
 * `argv[2]` (a data folder) and prints, as JSON, whether ECharts was loaded after start, right after
 * the first dashboard answer, and one tick later (the warm-up), and whether an export then works.
 */
import { createRequire } from 'node:module';
import { openMachine } from '../../support/sync-project.js';

const require = createRequire(import.meta.url);
const echartsLoaded = () => Object.keys(require.cache).some((file) => /[\\/]echarts[\\/]/.test(file));

const services = openMachine(process.argv[2]!);
try {
  const atStart = echartsLoaded();
  const dashboard = services.handlers['stats.dashboard']({});
  await dashboard;
  const withAnswer = echartsLoaded();
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  const afterAnswer = echartsLoaded();
  const png = await services.handlers['stats.exportPng']({
    figureId: 'studies-by-state',
    option: {
      xAxis: { type: 'category', data: ['a'] },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: [3] }],
    },
    width: 320,
    height: 200,
    notice: 'Research use only',
  });
  process.stdout.write(JSON.stringify({ atStart, withAnswer, afterAnswer, png: png.png.length > 100 }));
} finally {
  await services.close();
}
