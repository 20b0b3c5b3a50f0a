/**
 * The study's AI findings in the annotation panel (docs/ai-review.md): each with its model badge
 * (model, version, manufacturer) and confidence, the reader's decision, and Accept / Edit /
 * Reject (with a reason) — by click or by key (A, E, R, N / P) while the list is open; a bulk
 * "accept all ≥ x" with one-step undo; "AI reviewed" once every finding is decided. Marked
 * "Research use only — not for diagnosis".
 */
import type { TFunction } from 'i18next';
import { memo, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AiFinding, RejectionReason } from '../../../shared/ai.js';
import { host } from '../host/index.js';
import { localized } from '../annotation/tools/labels.js';
import { useSchema } from '../annotation/tools/storeLink.js';
import { findingTitle } from './findingTitle.js';
import { installAiKeys } from './keys.js';
import { setAiSegmentsHidden } from './segmentOverlay.js';
import { ReviewSection } from './ReviewSection.js';
import { ensureAiLoaded, useAiStore } from './useAiStore.js';
import './ai.css';

/**
 * The words every row shows, looked up once per language for the whole list (200 rows each asking
 * i18next for theirs was a share of the list's mount); per-value strings are kept once made.
 */
interface RowTexts {
  researchOnly: string;
  accept: string;
  edit: string;
  reject: string;
  reason: string;
  cancel: string;
  decision(kind: AiFinding['decision']): string;
  confidence(percent: number): string;
  segment(name: string): string;
  segmentTitle(voxels: number): string;
}

function rowTexts(t: TFunction): RowTexts {
  const cached = (make: (value: string | number) => string) => {
    const made = new Map<string | number, string>();
    return (value: string | number) => {
      let text = made.get(value);
      if (text === undefined) made.set(value, (text = make(value)));
      return text;
    };
  };
  const decisions = {
    undecided: t('ai.decision.undecided'),
    accepted: t('ai.decision.accepted'),
    edited: t('ai.decision.edited'),
    rejected: t('ai.decision.rejected'),
  };
  return {
    researchOnly: t('ai.researchOnly'),
    accept: t('ai.accept'),
    edit: t('ai.edit'),
    reject: t('ai.reject'),
    reason: t('ai.reason'),
    cancel: t('ai.cancel'),
    decision: (kind) => decisions[kind ?? 'undecided'],
    confidence: cached((value) => t('ai.confidence', { value })),
    segment: cached((name) => t('ai.segment', { name })),
    segmentTitle: cached((voxels) => t('ai.segmentTitle', { voxels })),
  };
}

function Badge({ finding, texts }: { finding: AiFinding; texts: RowTexts }) {
  const p = finding.provenance;
  const name = [p.modelName && p.modelName !== p.model ? `${p.model} (${p.modelName})` : p.model, p.version]
    .filter(Boolean)
    .join(' ');
  return (
    <span className="ai-badge" data-testid="ai-badge" title={texts.researchOnly}>
      <span className="ai-badge__tag">AI</span>
      <span className="ai-badge__model" data-testid="ai-badge-model">
        {name}
      </span>
      {p.manufacturer ? <span className="ai-badge__maker">{p.manufacturer}</span> : null}
      {p.confidence !== undefined ? (
        <span className="ai-badge__confidence" data-testid="ai-badge-confidence">
          {texts.confidence(Math.round(p.confidence * 100))}
        </span>
      ) : null}
    </span>
  );
}

interface RowProps {
  finding: AiFinding;
  index: number;
  current: boolean;
  rejecting: boolean;
  reasons: RejectionReason[];
  labelName: string;
  reasonName: string;
  texts: RowTexts;
  language: string;
}

/** One finding; drawn again only when what it shows changes (N / P re-render two rows of 200). */
const FindingRow = memo(function FindingRow({
  finding,
  index,
  current,
  rejecting,
  reasons,
  labelName,
  reasonName,
  texts,
  language,
}: RowProps) {
  return (
    <li
      className={current ? 'ai-finding ai-finding--current' : 'ai-finding'}
      data-testid="ai-finding"
      data-uid={finding.annotationUid}
      data-decision={finding.decision ?? 'undecided'}
      data-current={current}
      aria-current={current}
      onClick={() => useAiStore.getState().go(index)}
    >
      <div className="ai-finding__row">
        <span className="ai-finding__label" data-testid="ai-finding-title">
          {labelName}
        </span>
        {finding.segment ? (
          <span
            className="ai-finding__segment"
            data-testid="ai-finding-segment"
            title={texts.segmentTitle(finding.segment.voxels)}
          >
            <span className="ai-finding__swatch" style={{ background: finding.segment.color }} />
            {texts.segment(finding.segment.name)}
          </span>
        ) : null}
        <span
          className={`ai-decision ai-decision--${finding.decision ?? 'undecided'}`}
          data-testid="ai-decision"
        >
          {texts.decision(finding.decision)}
          {finding.decision === 'rejected' && finding.reasonId ? ` · ${reasonName}` : ''}
        </span>
      </div>
      <Badge finding={finding} texts={texts} />
      {current ? (
        <div className="ai-finding__actions">
          <button
            type="button"
            className="button button--small button--primary"
            data-testid="ai-accept"
            onClick={(event) => {
              event.stopPropagation();
              void useAiStore.getState().decide('accepted');
            }}
          >
            {texts.accept} (A)
          </button>
          <button
            type="button"
            className="button button--small"
            data-testid="ai-edit"
            onClick={(event) => {
              event.stopPropagation();
              void useAiStore.getState().decide('edited');
            }}
          >
            {texts.edit} (E)
          </button>
          <button
            type="button"
            className="button button--small"
            data-testid="ai-reject"
            onClick={(event) => {
              event.stopPropagation();
              useAiStore.getState().startReject();
            }}
          >
            {texts.reject} (R)
          </button>
        </div>
      ) : null}
      {rejecting ? (
        <div className="ai-reasons" data-testid="ai-reasons" role="listbox" aria-label={texts.reason}>
          <div className="annotation-panel__hint">{texts.reason}</div>
          {reasons.map((reason, n) => (
            <button
              key={reason.id}
              type="button"
              className="button button--small ai-reasons__reason"
              data-testid="ai-reason"
              data-reason={reason.id}
              onClick={(event) => {
                event.stopPropagation();
                void useAiStore.getState().decide('rejected', reason.id);
              }}
            >
              {n < 9 ? <kbd>{n + 1}</kbd> : null} {localized(reason.name, language)}
            </button>
          ))}
          <button
            type="button"
            className="button button--small"
            onClick={(event) => {
              event.stopPropagation();
              useAiStore.getState().cancelReject();
            }}
          >
            {texts.cancel} (Esc)
          </button>
        </div>
      ) : null}
    </li>
  );
});

export function AiFindingsSection({ studyInstanceUID }: { studyInstanceUID: string }) {
  const { t, i18n } = useTranslation();
  const texts = useMemo(() => rowTexts(t), [t]);
  const schema = useSchema();
  const state = useAiStore();
  const [threshold, setThreshold] = useState(0.9);
  const [bulkDone, setBulkDone] = useState<number | null>(null);
  const [segmentsHidden, setSegmentsHidden] = useState(false);
  useEffect(() => setAiSegmentsHidden(segmentsHidden), [segmentsHidden]);

  useEffect(() => {
    installAiKeys();
    // Asked for when the study opened (useAiStore.ts); asked here only if that did not happen.
    ensureAiLoaded(studyInstanceUID);
    let timer: number | null = null;
    const off = host.api.on('annotation.changed', (event) => {
      if (event.studyInstanceUID !== studyInstanceUID) return;
      if (timer !== null) window.clearTimeout(timer);
      timer = window.setTimeout(() => void useAiStore.getState().refresh(), 150);
    });
    const offStatus = host.api.on('annotation.statusChanged', (status) => {
      if (status.studyInstanceUID === studyInstanceUID) void useAiStore.getState().refresh();
    });
    return () => {
      off();
      offStatus();
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [studyInstanceUID]);

  const { findings, current, open, rejecting, reasons } = state;
  const decided = findings.filter((f) => f.decision !== null).length;
  const reasonName = (id: string | null) => {
    const reason = reasons.find((item) => item.id === id);
    return reason ? localized(reason.name, i18n.language) : (id ?? '');
  };

  return (
    <>
      <ReviewSection studyInstanceUID={studyInstanceUID} />
      {state.hidden || findings.length > 0 ? (
        <section
          className="annotation-panel__section ai-findings"
          data-testid="ai-findings"
          data-reviewed={state.reviewed}
          data-keys={open}
        >
          <div className="ai-findings__head">
            <h4>{t('ai.title')}</h4>
            {findings.length > 0 ? (
              <span className="ai-findings__count" data-testid="ai-findings-count">
                {t('ai.count', { decided, count: findings.length })}
              </span>
            ) : null}
            {state.reviewed ? (
              <span className="status-chip status-chip--complete" data-testid="ai-reviewed">
                {t('ai.reviewed')}
              </span>
            ) : null}
            <button
              type="button"
              className={open ? 'button button--small ai-findings__keys--on' : 'button button--small'}
              data-testid="ai-keys-toggle"
              aria-pressed={open}
              title={t('ai.keysHint')}
              onClick={() => state.setOpen(!open)}
            >
              {open ? t('ai.keysActive') : t('ai.keysOff')}
            </button>
            {findings.some((finding) => finding.segment) ? (
              <button
                type="button"
                className="button button--small"
                data-testid="ai-segments-toggle"
                aria-pressed={!segmentsHidden}
                title={t('ai.segmentsToggleTitle')}
                onClick={() => setSegmentsHidden(!segmentsHidden)}
              >
                {segmentsHidden ? t('ai.segmentsHidden') : t('ai.segmentsShown')}
              </button>
            ) : null}
          </div>
          <div className="ai-findings__notice" data-testid="ai-research-only">
            {t('ai.researchOnly')}
          </div>
          {state.hidden ? (
            <div className="annotation-panel__hint" data-testid="ai-hidden">
              {t('ai.hidden')}
            </div>
          ) : null}
          {open && findings.length > 0 ? (
            <div className="annotation-panel__hint">{t('ai.keysHint')}</div>
          ) : null}
          {findings.length > 0 ? (
            <div className="ai-findings__bulk">
              <label>
                {t('ai.acceptAbove')}{' '}
                <input
                  type="number"
                  min={0}
                  max={1}
                  step={0.05}
                  value={threshold}
                  data-testid="ai-accept-threshold"
                  onChange={(event) => setThreshold(Number(event.target.value))}
                />
              </label>
              <button
                type="button"
                className="button button--small"
                data-testid="ai-accept-above"
                onClick={() => void state.acceptAbove(threshold).then(setBulkDone)}
              >
                {t('ai.accept')}
              </button>
              {state.undoable ? (
                <button
                  type="button"
                  className="button button--small"
                  data-testid="ai-undo"
                  onClick={() => void state.undo().then(() => setBulkDone(null))}
                >
                  {t('ai.undo', { count: state.undoable.count })}
                </button>
              ) : null}
              {bulkDone !== null ? (
                <span className="annotation-panel__hint">{t('ai.acceptAboveDone', { count: bulkDone })}</span>
              ) : null}
            </div>
          ) : null}
          <ol className="ai-findings__list">
            {findings.map((finding, index) => (
              <FindingRow
                key={finding.annotationUid}
                finding={finding}
                index={index}
                current={index === current}
                rejecting={rejecting === finding.annotationUid}
                reasons={reasons}
                labelName={findingTitle(finding, schema, i18n.language, t)}
                reasonName={reasonName(finding.reasonId)}
                texts={texts}
                language={i18n.language}
              />
            ))}
          </ol>
          {state.error ? (
            <div className="annotation-panel__refused" role="alert">
              {t('ai.failed', { message: state.error })}
            </div>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
