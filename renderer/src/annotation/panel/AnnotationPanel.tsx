/**
 * The annotation panel, at the viewer's right: the study's status (draft → complete) with next /
 * previous study, the classification questions, and the study's measurements grouped by label
 * and series. A click on a measurement shows its image and selects it; the selected one opens its
 * label and attributes for editing; each row hides, locks or deletes its measurement.
 *
 * Also mounts what the annotation tools need while the viewer is open: their keys (in the shell,
 * so they work before the body mounts) and the label picker.
 */
import { annotation as csAnnotation } from '@cornerstonejs/tools';
import { memo, useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { Label } from '../../../../shared/annotation.js';
import type { SeriesSummary, StudyDetail } from '../../../../shared/contract.js';
import { scrollTo } from '../../imaging/viewportCommands.js';
import { useViewerStore } from '../../stores/useViewerStore.js';
import { viewportInSlot } from '../../viewer/viewportRegistry.js';
import { LabelPickerLayer } from '../LabelPicker.js';
import { AttributeForm } from '../LabelPickerAttributes.js';
import { displayCombo, effectiveShortcuts, useShortcutsStore } from '../shortcuts.js';
import {
  deleteAnnotation,
  renderAll,
  setAttributes,
  setHidden,
  setLabel,
  setLocked,
} from '../tools/labeling.js';
import { localized } from '../tools/labels.js';
import { useSchema } from '../tools/storeLink.js';
import { type StudyCommands, useAnnotationKeys } from '../tools/useAnnotationKeys.js';
import { useToolStore } from '../tools/useToolStore.js';
import { labelAsPreselected } from '../tools/completion.js';
import { ClassificationQuestions } from './ClassificationQuestions.js';
import { AiFindingsSection } from '../../ai/AiFindingsSection.js';
import { type Missing, missingForComplete } from './completeness.js';
import { goToStudy } from './studyNavigation.js';
import { OPENING_STUDY, releaseKeys } from '../../keys/keyGate.js';
import { type StudyAnnotation, useStudyAnnotations } from './useStudyAnnotations.js';
import { useAnswers, useStudyPanelStore, whenStudyLoaded } from './useStudyPanelStore.js';
import { useViewerSettled } from '../../viewer/firstDraw.js';
import './panel.css';

const OPEN_KEY = 'radlabel.annotationPanelOpen';

/**
 * The list draws its first rows when a study opens and more each time its end scrolls into view:
 * a study of 500 measurements opened with every row drawn spent a few hundred ms of script,
 * style and layout on rows nobody sees yet (docs/annotation.md "Speed").
 */
export const ROWS_FIRST = 40;
export const ROWS_MORE = 100;

/** Asks for more rows when it scrolls into view (and on click, for keyboard and pointer). */
function MoreRows({ hidden, onMore }: { hidden: number; onMore: () => void }) {
  const { t } = useTranslation();
  const [element, setElement] = useState<HTMLButtonElement | null>(null);
  useEffect(() => {
    if (!element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((records) => {
      if (records.some((record) => record.isIntersecting)) onMore();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element, onMore]);
  return (
    <button
      type="button"
      ref={setElement}
      className="button annotation-panel__more"
      data-testid="annotation-list-more"
      data-hidden-rows={hidden}
      onClick={onMore}
    >
      {t('annotate.moreRows', { count: hidden })}
    </button>
  );
}

/** Shows the annotation's image (in a viewport showing its series, else the active one) and selects it. */
export function jumpTo(item: StudyAnnotation): void {
  const viewer = useViewerStore.getState();
  const select = () => {
    csAnnotation.selection.setAnnotationSelected(item.uid, true, false);
    useToolStore.getState().select(item.uid);
    renderAll();
  };
  const slots = viewer.assignments
    .map((uid, slot) => ({ uid, slot }))
    .filter(({ uid }) => uid !== null && uid === item.seriesInstanceUID);
  const showIn = (slot: number): boolean => {
    const handle = viewportInSlot(slot);
    const index = handle?.viewport.getImageIds().indexOf(item.imageId) ?? -1;
    if (!handle || index < 0) return false;
    viewer.setActiveViewport(slot);
    scrollTo(handle.viewport, index);
    return true;
  };
  for (const { slot } of slots) {
    if (showIn(slot)) return select();
  }
  if (!item.seriesInstanceUID) return select();
  // Not on screen: show its series in the active viewport, then its image once the stack is set.
  const slot = viewer.activeViewport;
  viewer.assignSeries(slot, item.seriesInstanceUID);
  const started = Date.now();
  const wait = () => {
    if (showIn(slot)) return select();
    if (Date.now() - started < 10_000) window.setTimeout(wait, 50);
  };
  wait();
}

function missingText(
  missing: Missing,
  t: TFunction,
  language: string,
  labels: Label[],
  questionName: (id: string) => string,
  seriesName: (uid: string | undefined) => string,
): string {
  if (missing.kind === 'label')
    return t('annotate.missingLabel', { tool: t(`annotate.tool.${missing.tool}`) });
  if (missing.kind === 'attribute') {
    const label = labels.find((item) => item.id === missing.labelId);
    const attribute = label?.attributes.find((item) => item.id === missing.attributeId);
    return t('annotate.missingAttribute', {
      label: label ? localized(label.name, language) : missing.labelId,
      attribute: attribute ? localized(attribute.name, language) : missing.attributeId,
    });
  }
  return missing.seriesInstanceUID
    ? t('annotate.missingSeriesQuestion', {
        question: questionName(missing.questionId),
        series: seriesName(missing.seriesInstanceUID),
      })
    : t('annotate.missingQuestion', { question: questionName(missing.questionId) });
}

interface RowProps {
  item: StudyAnnotation;
  labels: Label[];
  selected: boolean;
}

/**
 * A row renders again only when what it shows changed: the panel's list is rebuilt whenever any
 * annotation changes (and many times while a study of hundreds opens), and re-rendering every row
 * each time made opening 500 annotations spend most of its script time here (docs/annotation.md
 * "Speed").
 */
function sameRow(a: RowProps, b: RowProps): boolean {
  return (
    a.selected === b.selected &&
    a.labels === b.labels &&
    a.item.uid === b.item.uid &&
    a.item.tool === b.item.tool &&
    a.item.imageNumber === b.item.imageNumber &&
    a.item.annotation === b.item.annotation &&
    a.item.sopInstanceUID === b.item.sopInstanceUID &&
    a.item.frame === b.item.frame &&
    a.item.record.labelId === b.item.record.labelId &&
    a.item.record.attributes === b.item.record.attributes &&
    a.item.record.hidden === b.item.record.hidden &&
    a.item.record.locked === b.item.record.locked &&
    a.item.facts.summary === b.item.facts.summary &&
    JSON.stringify(a.item.facts.values) === JSON.stringify(b.item.facts.values)
  );
}

const AnnotationRow = memo(AnnotationRowView, sameRow);

function AnnotationRowView({ item, labels, selected }: RowProps) {
  const { t, i18n } = useTranslation();
  const label = labels.find((candidate) => candidate.id === item.record.labelId);
  const missingRequired =
    !label ||
    label.attributes.some((attribute) => {
      const value = item.record.attributes[attribute.id];
      return (
        attribute.required &&
        (value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
      );
    });
  const { hidden, locked } = item.record;
  return (
    <li
      className={[
        'annotation-row',
        selected ? 'annotation-row--selected' : '',
        hidden ? 'annotation-row--hidden' : '',
      ]
        .filter(Boolean)
        .join(' ')}
      data-testid="annotation-row"
      data-uid={item.uid}
      data-tool={item.tool}
      data-label={item.record.labelId ?? ''}
      data-hidden={hidden}
      data-locked={locked}
      data-values={JSON.stringify(item.facts.values)}
    >
      <div className="annotation-row__main">
        <button
          type="button"
          className="annotation-row__jump"
          data-testid="annotation-jump"
          title={t('annotate.jump')}
          onClick={() => jumpTo(item)}
        >
          <span className="annotation-row__tool">{t(`annotate.tool.${item.tool}`)}</span>
          <span className="annotation-row__value" data-testid="annotation-value">
            {item.facts.summary}
          </span>
          {item.imageNumber !== null ? (
            <span className="annotation-row__image">
              {t('annotate.imageNumber', { number: item.imageNumber })}
            </span>
          ) : null}
          {missingRequired ? (
            <span
              className="annotation-row__missing"
              title={t('annotate.incomplete')}
              data-testid="annotation-incomplete"
            >
              !
            </span>
          ) : null}
        </button>
        <button
          type="button"
          className={hidden ? 'icon-button icon-button--on' : 'icon-button'}
          aria-pressed={hidden}
          aria-label={t('annotate.hide')}
          title={t('annotate.hide')}
          data-testid="annotation-hide"
          onClick={() => setHidden(item.uid, !hidden)}
        >
          {hidden ? '◌' : '◉'}
        </button>
        <button
          type="button"
          className={locked ? 'icon-button icon-button--on' : 'icon-button'}
          aria-pressed={locked}
          aria-label={t('annotate.lock')}
          title={t('annotate.lock')}
          data-testid="annotation-lock"
          onClick={() => setLocked(item.uid, !locked)}
        >
          {locked ? '▣' : '□'}
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={t('annotate.delete')}
          title={t('annotate.delete')}
          data-testid="annotation-delete"
          onClick={() => deleteAnnotation(item.uid)}
        >
          ✕
        </button>
      </div>
      {selected ? (
        <div className="annotation-row__edit" data-testid="annotation-edit">
          <label className="annotation-row__label">
            {t('annotate.label')}
            <select
              value={item.record.labelId ?? ''}
              data-testid="annotation-label-select"
              onChange={(event) => {
                if (event.target.value) setLabel(item.uid, event.target.value);
              }}
            >
              {!label ? (
                <option value={item.record.labelId ?? ''}>
                  {item.record.labelId
                    ? t('labelSchema.unknownLabel', { id: item.record.labelId })
                    : t('annotate.noLabel')}
                </option>
              ) : null}
              {labels.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {localized(candidate.name, i18n.language)}
                </option>
              ))}
            </select>
          </label>
          {label && label.attributes.length > 0 ? (
            <AttributeForm
              key={`${item.uid}-${label.id}-${JSON.stringify(item.record.attributes)}`}
              label={label}
              values={item.record.attributes}
              onSave={(values) => setAttributes(item.uid, values)}
              onCancel={() => useToolStore.getState().select(null)}
            />
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

function seriesTitle(series: SeriesSummary | undefined, t: TFunction) {
  if (!series) return t('annotate.unknownSeries');
  const number = series.seriesNumber !== null ? `#${series.seriesNumber} ` : '';
  return `${number}${series.seriesDescription || series.modality}`;
}

type AtEnd = 'next' | 'previous' | null;

function PanelBody({
  detail,
  commands,
  atEnd,
}: {
  detail: StudyDetail;
  commands: StudyCommands;
  atEnd: AtEnd;
}) {
  const { t, i18n } = useTranslation();
  const schema = useSchema();
  // Deferred: when a study's annotations arrive (hundreds at once) the image draws them first;
  // the list follows in an interruptible render that yields to the frame (docs/annotation.md).
  const annotations = useDeferredValue(useStudyAnnotations(detail));
  const selected = useToolStore((state) => state.selectedAnnotation);
  // While the picker asks about a measurement, the panel does not ask the same again.
  const pickerFor = useToolStore((state) => state.picker?.annotationUID ?? null);
  const status = useStudyPanelStore((state) => state.status);
  const answers = useAnswers(detail.study.studyInstanceUID);
  const refused = useStudyPanelStore((state) => state.refused);
  const error = useStudyPanelStore((state) => state.error);
  const activeSeriesUID = useViewerStore((state) => state.assignments[state.activeViewport] ?? null);
  const overrides = useShortcutsStore((state) => state.overrides);
  const keys = effectiveShortcuts(overrides);
  const keyOf = (action: string) => (keys[action] ?? []).map(displayCombo).join(' / ');
  const studyUID = detail.study.studyInstanceUID;

  const [rowLimit, setRowLimit] = useState({ study: studyUID, rows: ROWS_FIRST });
  const rowsShown = rowLimit.study === studyUID ? rowLimit.rows : ROWS_FIRST;
  const showMore = useCallback(
    () =>
      setRowLimit((current) => ({
        study: studyUID,
        rows: (current.study === studyUID ? current.rows : ROWS_FIRST) + ROWS_MORE,
      })),
    [studyUID],
  );
  useEffect(() => {
    void useStudyPanelStore.getState().load(studyUID);
    const stopFollowing = useStudyPanelStore.getState().follow(studyUID);
    // The study's status is known to the panel: keys pressed while it opened go on (keys/keyGate.ts).
    releaseKeys(OPENING_STUDY);
    return () => {
      stopFollowing();
      // Leaving the study: an open picker keeps its measurement with the preselected label.
      const picker = useToolStore.getState().picker;
      if (picker?.stage === 'label') labelAsPreselected(picker.annotationUID, picker.toolName);
      useToolStore.getState().closePicker();
      useToolStore.getState().select(null);
    };
  }, [studyUID]);

  // Follow Cornerstone's selection (a click on an annotation in the image).
  useEffect(() => {
    const chosen = csAnnotation.selection.getAnnotationsSelected();
    const last = chosen.at(-1);
    if (last && last !== useToolStore.getState().selectedAnnotation) useToolStore.getState().select(last);
  });

  const seriesByUid = useMemo(
    () => new Map(detail.series.map((series) => [series.seriesInstanceUID, series])),
    [detail],
  );
  const questionName = (id: string) => {
    const question = schema.questions.find((item) => item.id === id);
    return question ? localized(question.name, i18n.language) : id;
  };
  const seriesName = (uid: string | undefined) => seriesTitle(uid ? seriesByUid.get(uid) : undefined, t);

  // Grouped by label (schema order; measurements without a label first, then those whose label the
  // schema in use does not know — drawn under another schema, kept and shown by their id), then by series.
  const groups = useMemo(() => {
    const known = new Set(schema.labels.map((label) => label.id));
    const unknown = [
      ...new Set(
        annotations.flatMap((item) =>
          item.record.labelId && !known.has(item.record.labelId) ? [item.record.labelId] : [],
        ),
      ),
    ].sort();
    const order = [undefined, ...unknown, ...schema.labels.map((label) => label.id)];
    const byLabel = new Map<string | undefined, StudyAnnotation[]>();
    for (const item of annotations) {
      const key = item.record.labelId;
      const list = byLabel.get(key);
      if (list) list.push(item);
      else byLabel.set(key, [item]);
    }
    return order
      .filter((key) => byLabel.has(key))
      .map((key) => {
        const items = byLabel.get(key) ?? [];
        const bySeries = new Map<string, StudyAnnotation[]>();
        for (const item of items) {
          const seriesKey = item.seriesInstanceUID ?? '';
          const list = bySeries.get(seriesKey);
          if (list) list.push(item);
          else bySeries.set(seriesKey, [item]);
        }
        return {
          labelId: key,
          label: schema.labels.find((label) => label.id === key),
          series: [...bySeries],
        };
      });
  }, [annotations, schema]);

  // The rows drawn: the first `rowsShown` in list order, and always up to the selected one.
  const { shownGroups, hiddenRows } = useMemo(() => {
    let index = 0;
    let selectedIndex = -1;
    for (const group of groups)
      for (const [, items] of group.series)
        for (const item of items) {
          if (item.uid === selected) selectedIndex = index;
          index += 1;
        }
    const limit = Math.max(rowsShown, selectedIndex + 1);
    let left = limit;
    const shown = [];
    for (const group of groups) {
      if (left <= 0) break;
      const series: [string, StudyAnnotation[]][] = [];
      for (const [seriesUID, items] of group.series) {
        if (left <= 0) break;
        series.push([seriesUID, items.length <= left ? items : items.slice(0, left)]);
        left -= items.length;
      }
      shown.push({ ...group, series });
    }
    return { shownGroups: shown, hiddenRows: Math.max(0, index - limit) };
  }, [groups, rowsShown, selected]);

  const activeSeries = activeSeriesUID ? (seriesByUid.get(activeSeriesUID) ?? null) : null;
  const complete = status?.status === 'complete' || status?.status === 'verified';
  const missingCount = missingForComplete(
    schema,
    annotations.map((item) => ({
      uid: item.uid,
      tool: item.tool,
      labelId: item.record.labelId,
      attributes: item.record.attributes,
    })),
    answers,
    detail.series,
  ).length;

  return (
    <>
      <section className="annotation-panel__section annotation-panel__status">
        <div className="annotation-panel__status-row">
          <span
            className={complete ? 'status-chip status-chip--complete' : 'status-chip'}
            data-testid="study-status"
            data-status={status?.status ?? 'none'}
          >
            {t(`annotate.status.${status?.status ?? 'none'}`)}
          </span>
          {complete ? (
            <button
              type="button"
              className="button"
              data-testid="reopen-study"
              onClick={() => void useStudyPanelStore.getState().setStatus('draft')}
            >
              {t('annotate.reopen')}
            </button>
          ) : (
            <button
              type="button"
              className="button button--primary"
              data-testid="mark-complete"
              title={`${t('annotate.markComplete')} (${keyOf('study.complete')})`}
              onClick={commands.complete}
            >
              {t('annotate.markComplete')}
            </button>
          )}
        </div>
        {complete && missingCount > 0 ? (
          <div className="annotation-panel__refused" role="status" data-testid="complete-now-missing">
            {t('annotate.changedAfterComplete', { count: missingCount })}
          </div>
        ) : null}
        {!complete && missingCount > 0 && !refused ? (
          <div className="annotation-panel__hint">{t('annotate.stillMissing', { count: missingCount })}</div>
        ) : null}
        {refused && refused.length > 0 ? (
          <div className="annotation-panel__refused" role="alert" data-testid="complete-refused">
            <strong>{t('annotate.refused')}</strong>
            <ul>
              {refused.slice(0, 12).map((missing, index) => (
                <li key={index}>
                  {missingText(missing, t, i18n.language, schema.labels, questionName, seriesName)}
                </li>
              ))}
              {refused.length > 12 ? <li>{t('annotate.andMore', { count: refused.length - 12 })}</li> : null}
            </ul>
          </div>
        ) : null}
        {error ? (
          <div className="annotation-panel__refused" role="alert">
            {t('annotate.saveFailed')}
          </div>
        ) : null}
        <div className="annotation-panel__nav">
          <button
            type="button"
            className="button"
            data-testid="previous-study"
            title={`${t('annotate.previousStudy')} (${keyOf('study.previous')})`}
            onClick={commands.previous}
          >
            ← {t('annotate.previousStudy')}
          </button>
          <button
            type="button"
            className="button"
            data-testid="next-study"
            title={`${t('annotate.nextStudy')} (${keyOf('study.next')})`}
            onClick={commands.next}
          >
            {t('annotate.nextStudy')} →
          </button>
        </div>
        {atEnd ? (
          <div className="annotation-panel__hint" data-testid="study-list-end">
            {t(atEnd === 'next' ? 'annotate.lastStudy' : 'annotate.firstStudy')}
          </div>
        ) : null}
      </section>
      <AiFindingsSection studyInstanceUID={studyUID} />
      <ClassificationQuestions questions={schema.questions} series={activeSeries} />
      <section className="annotation-panel__section annotation-panel__list" data-testid="annotation-list">
        <h4>{t('annotate.measurements', { count: annotations.length })}</h4>
        {annotations.length === 0 ? (
          <div className="annotation-panel__hint">{t('annotate.noMeasurements')}</div>
        ) : null}
        {shownGroups.map((group) => (
          <div
            key={group.labelId ?? '-'}
            className="annotation-group"
            data-testid="annotation-group"
            data-label={group.labelId ?? ''}
          >
            <div className="annotation-group__title">
              <span className="label-swatch" style={{ background: group.label?.color ?? 'transparent' }} />
              {group.label
                ? localized(group.label.name, i18n.language)
                : group.labelId
                  ? t('labelSchema.unknownLabel', { id: group.labelId })
                  : t('annotate.noLabel')}
            </div>
            {group.series.map(([seriesUID, items]) => (
              <div key={seriesUID} className="annotation-group__series" data-series={seriesUID}>
                <div className="annotation-group__series-title">{seriesName(seriesUID || undefined)}</div>
                <ul className="annotation-group__items">
                  {items.map((item) => (
                    <AnnotationRow
                      key={item.uid}
                      item={item}
                      labels={schema.labels}
                      selected={item.uid === selected && item.uid !== pickerFor}
                    />
                  ))}
                </ul>
              </div>
            ))}
          </div>
        ))}
        {hiddenRows > 0 ? <MoreRows key={rowsShown} hidden={hiddenRows} onMore={showMore} /> : null}
      </section>
    </>
  );
}

/**
 * The study commands behind the annotation keys and the panel's buttons. They live in the panel's
 * shell, mounted with the viewer, so the keys work before the body (mounted after the first image)
 * is there; `complete` waits until the panel has loaded the study's status.
 */
function useStudyCommands(studyUID: string | null): { commands: StudyCommands; atEnd: AtEnd } {
  const [endReached, setAtEnd] = useState<{ study: string; end: 'next' | 'previous' } | null>(null);
  const commands = useMemo<StudyCommands>(() => {
    const go = (step: 1 | -1) =>
      void goToStudy(step).then((moved) =>
        setAtEnd(moved || !studyUID ? null : { study: studyUID, end: step === 1 ? 'next' : 'previous' }),
      );
    return {
      next: () => go(1),
      previous: () => go(-1),
      // Main decides (it checks the stored heads against the schema); a refusal lists what is missing.
      complete: () => {
        if (studyUID)
          whenStudyLoaded(studyUID, () => void useStudyPanelStore.getState().setStatus('complete'));
      },
    };
  }, [studyUID]);
  return { commands, atEnd: endReached !== null && endReached.study === studyUID ? endReached.end : null };
}

export function AnnotationPanel() {
  const { t } = useTranslation();
  const detail = useViewerStore((state) => state.detail);
  const [open, setOpen] = useState(() => window.localStorage.getItem(OPEN_KEY) !== 'false');
  const settled = useViewerSettled();
  const studyUID = detail?.study.studyInstanceUID ?? null;
  const { commands, atEnd } = useStudyCommands(studyUID);
  useAnnotationKeys(commands);
  // Leaving the viewer before its body mounted: the keys kept for it go on.
  useEffect(() => () => releaseKeys(OPENING_STUDY), []);
  const toggle = () => {
    window.localStorage.setItem(OPEN_KEY, String(!open));
    setOpen(!open);
  };
  if (!detail) return null;
  return (
    <>
      <aside
        className={open ? 'annotation-panel' : 'annotation-panel annotation-panel--closed'}
        data-testid="annotation-panel"
        aria-label={t('annotate.panel')}
      >
        <button
          type="button"
          className="annotation-panel__toggle"
          data-testid="annotation-panel-toggle"
          aria-expanded={open}
          title={open ? t('annotate.hidePanel') : t('annotate.showPanel')}
          onClick={toggle}
        >
          {open ? '›' : '‹'}
        </button>
        {/* Folded away, the body stays mounted: its keys keep working. */}
        <div className="annotation-panel__body" hidden={!open}>
          {/* Mounted once the viewer's first image is drawn (viewer/firstDraw.ts). */}
          {settled ? <PanelBody detail={detail} commands={commands} atEnd={atEnd} /> : null}
        </div>
      </aside>
      <LabelPickerLayer />
    </>
  );
}
