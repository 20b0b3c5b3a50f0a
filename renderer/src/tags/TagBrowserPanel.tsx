/**
 * The viewer's DICOM tag browser (key T): every attribute of the current image, sequences opened
 * and closed in place, private elements with their creator, values as main decoded them in the
 * image's character set. Rows are drawn only where they are visible (fixed row height), so a
 * 5,000-attribute object scrolls and filters without delay.
 */
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DicomTagRow, InstanceTags } from '../../../shared/contract.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { useActiveSopInstanceUID } from '../deid/currentInstance.js';
import { host } from '../host/index.js';
import { formatNumber } from '../i18n/format.js';
import { type ShownRow, shownRows } from './tagFilter.js';
import { useTagBrowserStore } from './useTagBrowserStore.js';
import './tags.css';

const ROW_HEIGHT = 24;
const OVERSCAN = 12;

type Loaded = { uid: string; tags: InstanceTags } | { uid: string; error: unknown };

export function TagBrowserPanel() {
  const { t, i18n } = useTranslation();
  const errorMessage = useErrorMessage();
  const close = useTagBrowserStore((state) => state.close);
  const uid = useActiveSopInstanceUID();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [query, setQuery] = useState('');
  // Sequences and items the reader opened or closed, for one image (another image starts afresh).
  const [toggledFor, setToggledFor] = useState<{ uid: string | null; rows: ReadonlySet<number> }>({
    uid: null,
    rows: new Set(),
  });
  const toggled = useMemo(
    () => (toggledFor.uid === uid ? toggledFor.rows : new Set<number>()),
    [toggledFor, uid],
  );
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!uid) return;
    let current = true;
    host.api.call('catalog.instanceTags', { sopInstanceUID: uid }).then(
      (tags) => current && setLoaded({ uid, tags }),
      (error: unknown) => current && setLoaded({ uid, error }),
    );
    return () => {
      current = false;
    };
  }, [uid]);

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    setHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  const shown = loaded && loaded.uid === uid ? loaded : null;
  const tags = shown && 'tags' in shown ? shown.tags : null;
  const rows = useMemo(() => (tags ? shownRows(tags.rows, query, toggled) : []), [tags, query, toggled]);
  const matches = useMemo(() => (query.trim() ? rows.filter((row) => row.match).length : 0), [rows, query]);

  const toggle = useCallback(
    (index: number) => {
      setToggledFor((previous) => {
        const next = new Set(previous.uid === uid ? previous.rows : []);
        if (next.has(index)) next.delete(index);
        else next.add(index);
        return { uid, rows: next };
      });
    },
    [uid],
  );

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const locale = i18n.language;

  const valueText = (row: DicomTagRow): string => {
    if (row.kind === 'sequence') return t('tags.items', { count: row.items ?? 0 });
    if (row.kind === 'item') return '';
    if (row.bulk) return t('tags.bytes', { count: row.length, formatted: formatNumber(row.length, locale) });
    return row.truncated
      ? `${row.value}… ${t('tags.ofBytes', { formatted: formatNumber(row.length, locale) })}`
      : row.value;
  };

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      if (query) setQuery('');
      else {
        event.currentTarget.blur();
        close();
      }
    }
  };

  return (
    <aside className="tag-browser" data-testid="tag-browser" aria-label={t('tags.title')}>
      <header className="tag-browser__header">
        <h3 className="tag-browser__title">{t('tags.title')}</h3>
        <button
          type="button"
          className="button button--ghost"
          data-testid="tag-browser-close"
          title={t('tags.closeHint')}
          onClick={close}
        >
          {t('tags.close')}
        </button>
      </header>
      <input
        type="search"
        className="tag-browser__search"
        data-testid="tag-search"
        value={query}
        placeholder={t('tags.searchPlaceholder')}
        aria-label={t('tags.searchLabel')}
        spellCheck={false}
        autoComplete="off"
        onChange={(event) => {
          setQuery(event.target.value);
          scroller.current?.scrollTo({ top: 0 });
          setScrollTop(0);
        }}
        onKeyDown={onSearchKey}
      />
      <p className="hint tag-browser__counts" data-testid="tag-counts">
        {!uid ? t('tags.noImage') : null}
        {uid && !shown ? t('tags.loading') : null}
        {tags && !query.trim()
          ? t('tags.count', {
              count: tags.rows.length,
              charset: tags.characterSet || t('tags.defaultCharset'),
            })
          : null}
        {tags && query.trim() ? t('tags.matches', { count: matches }) : null}
        {tags && tags.omitted > 0 ? ` ${t('tags.omitted', { count: tags.omitted })}` : null}
      </p>
      {shown && 'error' in shown ? (
        <p className="error-text" data-testid="tag-browser-error">
          {t('tags.failed', { message: errorMessage(shown.error) })}
        </p>
      ) : null}
      <div className="tag-browser__head" aria-hidden="true">
        <span>{t('tags.tag')}</span>
        <span>{t('tags.vr')}</span>
        <span>{t('tags.keyword')}</span>
        <span>{t('tags.value')}</span>
      </div>
      <div
        ref={scroller}
        className="tag-browser__scroll"
        data-testid="tag-rows"
        role="tree"
        aria-label={t('tags.title')}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      >
        <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
          {rows.slice(first, last).map((shownRow, offset) => (
            <TagRow
              key={shownRow.index}
              shown={shownRow}
              top={(first + offset) * ROW_HEIGHT}
              value={valueText(shownRow.row)}
              itemLabel={t('tags.item', { number: itemNumber(tags?.rows ?? [], shownRow.index) })}
              privateLabel={t('tags.privateCreator')}
              onToggle={toggle}
            />
          ))}
        </div>
      </div>
    </aside>
  );
}

/** 1-based position of an item among its sequence's items. */
function itemNumber(rows: readonly DicomTagRow[], index: number): number {
  const parent = rows[index]?.parent;
  if (parent === null || parent === undefined) return 0;
  let number = 0;
  for (let i = parent + 1; i <= index; i += 1) if (rows[i]!.parent === parent) number += 1;
  return number;
}

interface TagRowProps {
  shown: ShownRow;
  top: number;
  value: string;
  itemLabel: string;
  privateLabel: string;
  onToggle(index: number): void;
}

function TagRow({ shown, top, value, itemLabel, privateLabel, onToggle }: TagRowProps) {
  const { row, index, expanded, hasChildren, match } = shown;
  const expandable = row.kind !== 'element' && hasChildren;
  const className = ['tag-row', `tag-row--${row.kind}`, match ? 'tag-row--match' : '']
    .filter(Boolean)
    .join(' ');
  const name = row.kind === 'item' ? itemLabel : row.keyword;
  return (
    <div
      className={className}
      style={{ top, height: ROW_HEIGHT }}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-expanded={expandable ? expanded : undefined}
      data-testid="tag-row"
      data-tag={row.tag}
      data-kind={row.kind}
      data-depth={row.depth}
      data-match={match || undefined}
      tabIndex={expandable ? 0 : undefined}
      onClick={expandable ? () => onToggle(index) : undefined}
      onKeyDown={
        expandable
          ? (event) => {
              if (event.key !== 'Enter' && event.key !== ' ') return;
              event.preventDefault();
              event.stopPropagation();
              onToggle(index);
            }
          : undefined
      }
    >
      <span className="tag-row__tag" style={{ paddingLeft: row.depth * 14 }}>
        <span className="tag-row__twisty" aria-hidden="true">
          {expandable ? (expanded ? '▾' : '▸') : ''}
        </span>
        {row.kind === 'item' ? '' : row.tag}
      </span>
      <span className="tag-row__vr">{row.vr}</span>
      <span className="tag-row__keyword" title={row.creator !== undefined ? privateLabel : name}>
        {row.creator !== undefined ? (
          <span className="tag-row__creator" data-testid="tag-creator">
            {row.creator || '?'}
          </span>
        ) : (
          name
        )}
      </span>
      <span className="tag-row__value" data-testid="tag-value" title={value}>
        {value}
      </span>
    </div>
  );
}
