/**
 * The statistics dashboard (issue #11 item 4, docs/statistics.md): filters (reader, label, AI
 * model, date range), totals, and every figure of shared/stats-figures.ts drawn by ECharts (SVG),
 * each with its numbers (Data) and exports: CSV made here from the figure's table, PNG drawn by
 * main from the very same chart option (`stats.exportPng`). Research use only on every export.
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LabelSchema } from '../../../shared/annotation.js';
import type { Dashboard, StatsFilter } from '../../../shared/stats.js';
import { type Figure, buildFigures, figureCsv } from '../../../shared/stats-figures.js';
import { host } from '../host/index.js';
import { Chart } from './Chart.js';
import { figureStrings } from './figureStrings.js';
import { statsEn, statsZhCN } from './strings.js';
import './stats.css';

const PNG_WIDTH = 1000;
const PNG_HEIGHT = 520;

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function dayStart(value: string): number | undefined {
  if (!value) return undefined;
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y!, m! - 1, d!).getTime();
}

export function StatsScreen() {
  const { t, i18n } = useTranslation();
  const strings = i18n.language === 'zh-CN' ? statsZhCN : statsEn;
  const language = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  const [reader, setReader] = useState('');
  const [label, setLabel] = useState('');
  const [model, setModel] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [schema, setSchema] = useState<LabelSchema | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Kept as what happened, not as words: the line follows a language switch made after it.
  const [message, setMessage] = useState<
    { kind: 'exported'; file: string } | { kind: 'exportFailed'; message: string } | null
  >(null);

  const filter = useMemo<StatsFilter>(() => {
    const start = dayStart(from);
    const end = dayStart(to);
    return {
      ...(reader ? { readers: [reader] } : {}),
      ...(label ? { labelIds: [label] } : {}),
      ...(model ? { models: [model] } : {}),
      ...(start !== undefined ? { from: start } : {}),
      ...(end !== undefined ? { to: end + 24 * 3600 * 1000 - 1 } : {}),
    };
  }, [reader, label, model, from, to]);

  // Each filter (or Refresh) asks once; what is shown is the answer to the newest question.
  const [reloads, setReloads] = useState(0);
  const question = `${JSON.stringify(filter)}#${reloads}`;
  const [answered, setAnswered] = useState<string | null>(null);
  const loading = answered !== question;
  useEffect(() => {
    let current = true;
    host.api.call('stats.dashboard', filter).then(
      (result) => {
        if (!current) return;
        setDashboard(result);
        setError(null);
        setAnswered(question);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(failure instanceof Error ? failure.message : String(failure));
        setAnswered(question);
      },
    );
    return () => {
      current = false;
    };
  }, [filter, question]);
  useEffect(() => {
    host.api.call('schema.get', {}).then(
      (view) => setSchema(view.schema),
      () => setSchema(null),
    );
  }, []);

  const figures = useMemo(() => {
    if (!dashboard) return [];
    const labelName = (id: string) => schema?.labels.find((l) => l.id === id)?.name[language] ?? id;
    const questionName = (id: string) => schema?.questions.find((q) => q.id === id)?.name[language] ?? id;
    return buildFigures(dashboard, figureStrings(strings, labelName, questionName));
  }, [dashboard, schema, strings, language]);

  const labelName = (id: string) => schema?.labels.find((l) => l.id === id)?.name[language] ?? id;
  const stamp = new Date().toISOString().slice(0, 10);

  const exportCsv = (figure: Figure) => {
    const csv = figureCsv(figure, strings.notice);
    download(
      `radlabel-${figure.id}-${stamp}.csv`,
      new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' }),
    );
    setMessage({ kind: 'exported', file: `radlabel-${figure.id}-${stamp}.csv` });
  };
  const exportPng = (figure: Figure) => {
    host.api
      .call('stats.exportPng', {
        figureId: figure.id,
        option: figure.option,
        width: PNG_WIDTH,
        height: PNG_HEIGHT,
        notice: strings.notice,
      })
      .then(
        ({ png }) => {
          const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
          download(`radlabel-${figure.id}-${stamp}.png`, new Blob([bytes], { type: 'image/png' }));
          setMessage({ kind: 'exported', file: `radlabel-${figure.id}-${stamp}.png` });
        },
        (failure: unknown) =>
          setMessage({
            kind: 'exportFailed',
            message: failure instanceof Error ? failure.message : String(failure),
          }),
      );
  };

  const options = dashboard?.options;
  return (
    <main className="stats-screen" data-testid="stats-screen">
      <div className="stats-screen__head">
        <h1>{strings.title}</h1>
        <p className="stats-screen__notice" data-testid="stats-notice">
          {strings.notice}
        </p>
      </div>
      <form className="stats-filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          {strings.filters.reader}
          <select
            value={reader}
            data-testid="stats-filter-reader"
            onChange={(e) => setReader(e.target.value)}
          >
            <option value="">{strings.filters.all}</option>
            {options?.readers.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          {strings.filters.label}
          <select value={label} data-testid="stats-filter-label" onChange={(e) => setLabel(e.target.value)}>
            <option value="">{strings.filters.all}</option>
            {options?.labels.map((l) => (
              <option key={l} value={l}>
                {labelName(l)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {strings.filters.model}
          <select value={model} data-testid="stats-filter-model" onChange={(e) => setModel(e.target.value)}>
            <option value="">{strings.filters.all}</option>
            {options?.models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          {strings.filters.from}
          <input
            type="date"
            value={from}
            data-testid="stats-filter-from"
            onChange={(e) => setFrom(e.target.value)}
          />
        </label>
        <label>
          {strings.filters.to}
          <input
            type="date"
            value={to}
            data-testid="stats-filter-to"
            onChange={(e) => setTo(e.target.value)}
          />
        </label>
        <button
          type="button"
          className="button button--ghost"
          data-testid="stats-clear"
          onClick={() => {
            setReader('');
            setLabel('');
            setModel('');
            setFrom('');
            setTo('');
          }}
        >
          {strings.filters.clear}
        </button>
        <button
          type="button"
          className="button"
          data-testid="stats-refresh"
          onClick={() => setReloads((n) => n + 1)}
        >
          {strings.refresh}
        </button>
        <span className="stats-filters__status" role="status" data-testid="stats-status">
          {loading
            ? strings.loading
            : message?.kind === 'exported'
              ? t('stats.exported', { file: message.file })
              : message
                ? t('stats.exportFailed', { message: message.message })
                : ''}
        </span>
      </form>
      {error ? (
        <p className="stats-error" role="alert">
          {t('stats.failed', { message: error })}
        </p>
      ) : null}
      {dashboard ? (
        <>
          <dl className="stats-totals" data-testid="stats-totals" data-generated-at={dashboard.generatedAt}>
            <div>
              <dt>{strings.totals.studies}</dt>
              <dd data-testid="total-studies">{dashboard.totals.studies}</dd>
            </div>
            <div>
              <dt>{strings.totals.annotations}</dt>
              <dd data-testid="total-annotations">{dashboard.totals.annotations}</dd>
            </div>
            <div>
              <dt>{strings.totals.readers}</dt>
              <dd data-testid="total-readers">{dashboard.totals.readers}</dd>
            </div>
            <div>
              <dt>{strings.totals.aiFindings}</dt>
              <dd data-testid="total-ai-findings">{dashboard.totals.aiFindings}</dd>
            </div>
            <div>
              <dt>{strings.totals.readingHours}</dt>
              <dd data-testid="total-reading-hours">{(dashboard.totals.readingMs / 3_600_000).toFixed(1)}</dd>
            </div>
          </dl>
          <div className="stats-grid">
            {figures.map((figure) => (
              <section key={figure.id} className="stats-card" data-testid={`figure-${figure.id}`}>
                <div className="stats-card__tools">
                  <button
                    type="button"
                    className="button button--ghost button--small"
                    title={strings.exportCsvTitle}
                    data-testid={`export-csv-${figure.id}`}
                    onClick={() => exportCsv(figure)}
                  >
                    {strings.exportCsv}
                  </button>
                  <button
                    type="button"
                    className="button button--ghost button--small"
                    title={strings.exportPngTitle}
                    data-testid={`export-png-${figure.id}`}
                    onClick={() => exportPng(figure)}
                  >
                    {strings.exportPng}
                  </button>
                </div>
                {figure.empty ? (
                  <p className="stats-card__empty">
                    <strong>{figure.title}</strong>
                    <br />
                    {strings.empty}
                  </p>
                ) : (
                  <Chart
                    option={figure.option}
                    height={figure.id === 'agreement' ? 460 : 340}
                    testId={`chart-${figure.id}`}
                  />
                )}
                <details className="stats-card__data">
                  <summary>{strings.showData}</summary>
                  <table data-testid={`table-${figure.id}`}>
                    <thead>
                      <tr>
                        {figure.table.header.map((h) => (
                          <th key={h}>{h}</th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {figure.table.rows.map((row, index) => (
                        <tr key={index}>
                          {row.map((cell, column) => (
                            <td key={column}>{cell}</td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </details>
              </section>
            ))}
          </div>
        </>
      ) : null}
    </main>
  );
}
