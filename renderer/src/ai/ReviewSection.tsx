/**
 * Review and sign-off in the annotation panel (docs/ai-review.md): the reader's role, the
 * reviewers' returns and verifications with their comments (the annotator sees why a study came
 * back), and for reviewers each reader's annotations overlaid in their own colour with a reader
 * filter, "Return to annotators" with a comment, and "Verify". Main enforces who may do what.
 */
import { useEffect, useMemo, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { host } from '../host/index.js';
import { useStudyPanelStore } from '../annotation/panel/useStudyPanelStore.js';
import { READER_COLORS, styleReaders } from './aiStyle.js';
import { useAiStore } from './useAiStore.js';
import {
  closeSideBySide,
  openSideBySide,
  setAuthors as setSideAuthors,
  useSideBySide,
} from './sideBySide.js';
import { viewportInSlot } from '../viewer/viewportRegistry.js';

/** Each side-by-side viewport's reader, written on the viewport (a portal into its element). */
function SideBySideLabels({ readers, colors }: { readers: string[]; colors: ReadonlyMap<string, string> }) {
  const [elements, setElements] = useState<(HTMLDivElement | null)[]>([]);
  // The viewports mount after the layout changed: look for them until every one is there.
  useEffect(() => {
    let frame = 0;
    const look = () => {
      const found = readers.map((_, slot) => viewportInSlot(slot)?.element ?? null);
      setElements((previous) =>
        previous.length === found.length && previous.every((e, i) => e === found[i]) ? previous : found,
      );
      if (found.some((element) => element === null)) frame = window.setTimeout(look, 100);
    };
    look();
    return () => window.clearTimeout(frame);
  }, [readers]);
  return (
    <>
      {elements.map((element, slot) =>
        element
          ? createPortal(
              <div
                className="review-sbs-label"
                data-testid="review-sbs-label"
                data-slot={slot}
                style={{ borderColor: colors.get(readers[slot]!) }}
              >
                {readers[slot]}
              </div>,
              element,
            )
          : null,
      )}
    </>
  );
}

export function ReviewSection({ studyInstanceUID }: { studyInstanceUID: string }) {
  const { t } = useTranslation();
  const review = useAiStore((state) => state.review);
  const events = useAiStore((state) => state.events);
  const [authors, setAuthors] = useState<Map<string, string>>(new Map());
  const [shown, setShown] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reviewer = review?.role === 'reviewer' || review?.role === 'admin';

  // Who wrote each current annotation (reviewers only: annotators of a blinded project get theirs).
  useEffect(() => {
    if (!reviewer) return;
    let cancelled = false;
    const read = async () => {
      const { heads } = await host.api.call('annotation.list', { studyInstanceUID });
      if (cancelled) return;
      setAuthors(
        new Map(
          heads
            .filter((head) => head.kind === 'measurement' && !head.source.startsWith('ai:'))
            .map((head) => [head.annotationUid, head.author]),
        ),
      );
    };
    void read();
    const off = host.api.on('annotation.changed', (event) => {
      if (event.studyInstanceUID === studyInstanceUID) void read();
    });
    return () => {
      cancelled = true;
      off();
    };
  }, [reviewer, studyInstanceUID]);

  const readers = useMemo(() => [...new Set(authors.values())].sort(), [authors]);
  const colors = useMemo(
    () => new Map(readers.map((reader, index) => [reader, READER_COLORS[index % READER_COLORS.length]!])),
    [readers],
  );
  const sideBySide = useSideBySide((state) => state.readers);
  useEffect(() => {
    if (reviewer && readers.length > 1) styleReaders(authors, colors, sideBySide ? null : shown);
    setSideAuthors(authors);
  }, [reviewer, readers, authors, colors, shown, sideBySide]);
  // Leaving the study (or the panel) closes the side-by-side view.
  useEffect(() => () => closeSideBySide(), [studyInstanceUID]);

  if (!review) return null;
  const last = events[events.length - 1];

  const act = async (action: 'return' | 'verify') => {
    setError(null);
    try {
      if (action === 'return') await host.api.call('review.return', { studyInstanceUID, comment });
      else await host.api.call('review.verify', { studyInstanceUID, comment });
      setComment('');
      await useStudyPanelStore.getState().load(studyInstanceUID);
      await useAiStore.getState().refresh();
    } catch (problem) {
      setError(problem instanceof Error ? problem.message : String(problem));
    }
  };

  return (
    <section
      className="annotation-panel__section review"
      data-testid="review-section"
      data-role={review.role}
    >
      <div className="ai-findings__head">
        <h4>{t('ai.review.title')}</h4>
        <span className="review__role" data-testid="review-role">
          {t('ai.review.role', { role: t(`ai.review.roles.${review.role}`) })}
        </span>
      </div>
      {review.settings.blinded && review.role === 'annotator' ? (
        <div className="annotation-panel__hint" data-testid="review-blinded">
          {t('ai.review.blinded')}
        </div>
      ) : null}
      {last ? (
        <div
          className={last.action === 'returned' ? 'annotation-panel__refused' : 'annotation-panel__hint'}
          data-testid="review-last"
          data-action={last.action}
        >
          {last.action === 'returned'
            ? t('ai.review.returned', { reviewer: last.reviewer, comment: last.comment })
            : t('ai.review.verified', { reviewer: last.reviewer })}
        </div>
      ) : null}
      {reviewer ? (
        <>
          {readers.length > 1 ? (
            <div className="review__readers" role="group" aria-label={t('ai.review.view')}>
              <button
                type="button"
                className={sideBySide ? 'button button--small' : 'button button--small button--primary'}
                data-testid="review-overlay"
                aria-pressed={!sideBySide}
                onClick={() => closeSideBySide()}
              >
                {t('ai.review.overlay')}
              </button>
              <button
                type="button"
                className={sideBySide ? 'button button--small button--primary' : 'button button--small'}
                data-testid="review-side-by-side"
                aria-pressed={!!sideBySide}
                title={t('ai.review.sideBySideTitle')}
                onClick={() => openSideBySide(readers)}
              >
                {t('ai.review.sideBySide')}
              </button>
            </div>
          ) : null}
          {sideBySide ? <SideBySideLabels readers={sideBySide} colors={colors} /> : null}
          {readers.length > 1 && !sideBySide ? (
            <div className="review__readers" data-testid="review-readers">
              <span>{t('ai.review.readers')}:</span>
              <button
                type="button"
                className={shown === null ? 'button button--small button--primary' : 'button button--small'}
                onClick={() => setShown(null)}
              >
                {t('ai.review.allReaders')}
              </button>
              {readers.map((reader) => (
                <button
                  key={reader}
                  type="button"
                  className={
                    shown === reader ? 'button button--small button--primary' : 'button button--small'
                  }
                  data-testid="review-reader"
                  data-reader={reader}
                  onClick={() => setShown(shown === reader ? null : reader)}
                >
                  <span className="label-swatch" style={{ background: colors.get(reader) }} /> {reader}
                </button>
              ))}
            </div>
          ) : null}
          <textarea
            className="review__comment"
            data-testid="review-comment"
            placeholder={t('ai.review.comment')}
            aria-label={t('ai.review.comment')}
            value={comment}
            rows={2}
            onChange={(event) => setComment(event.target.value)}
          />
          <div className="annotation-panel__nav">
            <button
              type="button"
              className="button"
              data-testid="review-return"
              disabled={comment.trim().length === 0}
              onClick={() => void act('return')}
            >
              {t('ai.review.return')}
            </button>
            <button
              type="button"
              className="button button--primary"
              data-testid="review-verify"
              onClick={() => void act('verify')}
            >
              {t('ai.review.verify')}
            </button>
          </div>
          {error ? (
            <div className="annotation-panel__refused" role="alert">
              {error}
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
