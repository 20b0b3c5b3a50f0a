/**
 * One conflict side by side (issue #10 item 5): every head drawn together in different styles,
 * with its label, attributes, author and time; the reader keeps one, merges (shape, label and each
 * attribute picked from a head), or keeps both. Every head stays in the history whatever the choice.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AnnotationVersion, AttributeValue } from '../../../shared/annotation.js';
import type { ResolveConflictRequest, SyncConflict } from '../../../shared/sync-conflicts.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';

const STROKES = [
  { color: '#2f9bff', dash: undefined },
  { color: '#ff9f1a', dash: '6 4' },
  { color: '#3ecf8e', dash: '2 3' },
  { color: '#e05bd6', dash: '10 3 2 3' },
];

type Point = [number, number];

/** Every 2-D point of a version's shape (Cornerstone handles, polylines, nested point lists). */
function pointsOf(version: AnnotationVersion): Point[] {
  const found: Point[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (depth > 8 || found.length > 2000) return;
    if (Array.isArray(value)) {
      if (value.length >= 2 && value.length <= 3 && value.every((n) => typeof n === 'number')) {
        found.push([value[0] as number, value[1] as number]);
        return;
      }
      for (const item of value) walk(item, depth + 1);
      return;
    }
    if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (key === 'textBox' || key === 'cachedStats') continue;
        walk(item, depth + 1);
      }
    }
  };
  walk(version.data, 0);
  return found;
}

function ShapeOverlay({ heads }: { heads: readonly AnnotationVersion[] }) {
  const { t } = useTranslation();
  const shapes = heads.map(pointsOf);
  const all = shapes.flat();
  if (all.length === 0) return null;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const span = Math.max(Math.max(...xs) - minX, Math.max(...ys) - minY, 1e-6);
  const size = 180;
  const pad = 10;
  const map = ([x, y]: Point): string =>
    `${(pad + ((x - minX) / span) * size).toFixed(1)},${(pad + ((y - minY) / span) * size).toFixed(1)}`;
  return (
    <figure className="sync-conflict__drawing">
      <svg
        viewBox={`0 0 ${size + 2 * pad} ${size + 2 * pad}`}
        width={size + 2 * pad}
        height={size + 2 * pad}
        role="img"
        aria-label={t('sync.conflicts.drawing')}
        data-testid="conflict-drawing"
      >
        <rect x="0" y="0" width={size + 2 * pad} height={size + 2 * pad} fill="#000" />
        {shapes.map((points, index) => {
          const stroke = STROKES[index % STROKES.length]!;
          return (
            <g key={heads[index]!.versionId} data-testid="conflict-shape">
              <polyline
                points={points.map(map).join(' ')}
                fill="none"
                stroke={stroke.color}
                strokeWidth={2}
                {...(stroke.dash ? { strokeDasharray: stroke.dash } : {})}
              />
              {points.map((point, i) => {
                const [cx, cy] = map(point).split(',');
                return <circle key={i} cx={cx} cy={cy} r={3} fill={stroke.color} />;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption>{t('sync.conflicts.drawing')}</figcaption>
    </figure>
  );
}

function formatValue(value: AttributeValue | undefined): string {
  if (value === undefined) return '—';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

export function useAuthorLine(): (version: AnnotationVersion) => string {
  const { t } = useTranslation();
  return (version) => {
    const author = version.source.startsWith('ai:')
      ? t('sync.conflicts.ai', { model: version.source.slice(3) })
      : version.author;
    return t('sync.conflicts.by', { author, time: new Date(version.createdAt).toLocaleString() });
  };
}

export function ConflictView({
  conflict,
  onDone,
}: {
  conflict: SyncConflict;
  onDone(message: string): void;
}) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const authorLine = useAuthorLine();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [merging, setMerging] = useState(false);
  const heads = conflict.heads;
  const headIds = heads.map((h) => h.versionId);
  const attributeNames = [...new Set(heads.flatMap((h) => Object.keys(h.attributes)))].sort();
  const [shapeFrom, setShapeFrom] = useState(0);
  const [labelFrom, setLabelFrom] = useState(0);
  const [attributeFrom, setAttributeFrom] = useState<Record<string, number>>({});

  const resolve = async (request: ResolveConflictRequest) => {
    setBusy(true);
    setError(null);
    try {
      await host.api.call('sync.resolveConflict', request);
      onDone(t('sync.conflicts.resolved'));
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const saveMerge = () => {
    const attributes: Record<string, AttributeValue> = {};
    for (const name of attributeNames) {
      const from = heads[attributeFrom[name] ?? 0]!;
      const value = from.attributes[name];
      if (value !== undefined) attributes[name] = value;
    }
    void resolve({
      annotationUid: conflict.annotationUid,
      headVersionIds: headIds,
      action: 'merge',
      shapeFromVersionId: heads[shapeFrom]!.versionId,
      labelId: heads[labelFrom]!.labelId ?? null,
      attributes,
    });
  };

  const versionName = (index: number) =>
    `${t('sync.conflicts.version', { n: index + 1 })} — ${heads[index]!.author}`;

  return (
    <section className="sync-conflict" data-testid="conflict-view" data-annotation={conflict.annotationUid}>
      <p className="sync-conflict__hint">{t('sync.conflicts.hint')}</p>
      {conflict.base ? (
        <p className="sync-conflict__base">
          {t('sync.conflicts.base', {
            author: conflict.base.author,
            time: new Date(conflict.base.createdAt).toLocaleString(),
          })}
        </p>
      ) : null}
      <div className="sync-conflict__body">
        <ShapeOverlay heads={heads.filter((h) => !h.deleted)} />
        <div className="sync-conflict__heads">
          {heads.map((head, index) => {
            const stroke = STROKES[index % STROKES.length]!;
            return (
              <article
                key={head.versionId}
                className="sync-conflict__head"
                data-testid="conflict-head"
                data-version={head.versionId}
                style={{ borderColor: stroke.color, borderStyle: stroke.dash ? 'dashed' : 'solid' }}
              >
                <h4>
                  {t('sync.conflicts.version', { n: index + 1 })}{' '}
                  <span data-testid="conflict-author">{authorLine(head)}</span>
                </h4>
                {head.deleted ? (
                  <p className="sync-conflict__deleted">{t('sync.conflicts.deleted')}</p>
                ) : null}
                <dl>
                  <dt>{t('sync.conflicts.label')}</dt>
                  <dd data-testid="conflict-label">{head.labelId ?? t('sync.conflicts.noLabel')}</dd>
                  {attributeNames.map((name) => (
                    <div key={name} className="sync-conflict__attr">
                      <dt>{name}</dt>
                      <dd data-testid={`conflict-attr-${name}`}>{formatValue(head.attributes[name])}</dd>
                    </div>
                  ))}
                </dl>
                <button
                  type="button"
                  className="button"
                  data-testid="conflict-keep"
                  disabled={busy}
                  onClick={() =>
                    void resolve({
                      annotationUid: conflict.annotationUid,
                      headVersionIds: headIds,
                      action: 'keep',
                      keepVersionId: head.versionId,
                    })
                  }
                >
                  {t('sync.conflicts.keep')}
                </button>
              </article>
            );
          })}
        </div>
      </div>
      <div className="sync-conflict__actions">
        <button
          type="button"
          className="button"
          data-testid="conflict-keep-both"
          disabled={busy}
          onClick={() =>
            void resolve({
              annotationUid: conflict.annotationUid,
              headVersionIds: headIds,
              action: 'keepBoth',
              keepVersionId: (heads.find((h) => !h.deleted) ?? heads[0]!).versionId,
            })
          }
        >
          {t('sync.conflicts.keepBoth')}
        </button>
        <button
          type="button"
          className="button button--ghost"
          data-testid="conflict-merge"
          disabled={busy}
          onClick={() => setMerging(!merging)}
        >
          {t('sync.conflicts.merge')}
        </button>
      </div>
      {merging ? (
        <fieldset className="sync-conflict__merge" data-testid="conflict-merge-form">
          <legend>{t('sync.conflicts.mergeTitle')}</legend>
          <label>
            {t('sync.conflicts.mergeShape')}{' '}
            <select
              data-testid="merge-shape"
              value={shapeFrom}
              onChange={(e) => setShapeFrom(Number(e.target.value))}
            >
              {heads.map((h, i) => (
                <option key={h.versionId} value={i}>
                  {versionName(i)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('sync.conflicts.mergeLabel')}{' '}
            <select
              data-testid="merge-label"
              value={labelFrom}
              onChange={(e) => setLabelFrom(Number(e.target.value))}
            >
              {heads.map((h, i) => (
                <option key={h.versionId} value={i}>
                  {versionName(i)}: {h.labelId ?? t('sync.conflicts.noLabel')}
                </option>
              ))}
            </select>
          </label>
          {attributeNames.map((name) => (
            <label key={name}>
              {t('sync.conflicts.mergeAttribute', { name })}{' '}
              <select
                data-testid={`merge-attr-${name}`}
                value={attributeFrom[name] ?? 0}
                onChange={(e) => setAttributeFrom({ ...attributeFrom, [name]: Number(e.target.value) })}
              >
                {heads.map((h, i) => (
                  <option key={h.versionId} value={i}>
                    {versionName(i)}: {formatValue(h.attributes[name])}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <button
            type="button"
            className="button"
            data-testid="merge-save"
            disabled={busy}
            onClick={saveMerge}
          >
            {t('sync.conflicts.saveMerge')}
          </button>
        </fieldset>
      ) : null}
      {error ? (
        <p className="sync-conflict__error" role="alert" data-testid="conflict-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
