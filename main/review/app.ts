/**
 * The `ai.*` and `review.*` handlers (shared/ai.ts) and the review rules main applies to the
 * annotation methods (docs/ai-review.md), assembled by main/services.ts:
 *
 * - `annotation.list` / `annotation.history` / `ai.findings` answer only what the reader may see
 *   (blinded projects: an annotator's own work, and the AI's unless `blindAi`, until verified);
 * - `annotation.setStudyStatus` with `verified` is for reviewers and administrators only;
 * - `review.return` appends a draft status and the comment; `review.verify` the verified status.
 */
import type Database from 'better-sqlite3-multiple-ciphers';
import type { aiMethods, reviewMethods } from '../../shared/ai.js';
import { type AnnotationVersion, type LabelSchema, keepHeads } from '../../shared/annotation.js';
import type { Handlers } from '../../shared/contract.js';
import { AppError, ErrorCode } from '../../shared/errors.js';
import { AiFindings, findingForList, rejectionReasons } from '../ai/findings.js';
import { AiSegments } from '../ai/segments.js';
import type { LabelmapStore } from '../annotation/labelmap-store.js';
import type { AnnotationStore } from '../annotation/store.js';
import { openCatalogConnection } from '../catalog/catalog.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { type ReviewIdentity, ReviewService } from './review.js';

type AiReviewHandlers = Pick<Handlers, keyof typeof aiMethods | keyof typeof reviewMethods>;

export interface AiReviewApp {
  readonly handlers: AiReviewHandlers;
  readonly review: ReviewService;
  readonly findings: AiFindings;
  /** The segments of device SEGs as findings (the importer records each device SEG here). */
  readonly segments: AiSegments | null;
  /** Wraps the annotation methods with the review rules (blinding, who may verify). */
  guard(handlers: Handlers): Handlers;
  close(): void;
}

const REVIEWERS = ['reviewer', 'admin'] as const;

export function createAiReviewApp(options: {
  dataDir: string;
  catalogFile: string;
  store: AnnotationStore;
  events: EventBus;
  logger: Logger;
  schema: () => LabelSchema;
  identity: () => ReviewIdentity;
  /** The annotation handlers (saving through them tells the renderer; statuses are checked there). */
  annotation: () => Pick<Handlers, 'annotation.save' | 'annotation.setStudyStatus'>;
  /** The labelmap store: each segment of a device SEG is a finding too (main/ai/segments.ts). */
  labelmaps?: LabelmapStore;
}): AiReviewApp {
  const db: Database.Database = openCatalogConnection(options.catalogFile);
  const connection = () => db;
  const review = new ReviewService({
    db: connection(),
    dataDir: options.dataDir,
    identity: options.identity,
  });
  const segments = options.labelmaps ? new AiSegments(connection(), options.labelmaps, options.schema) : null;
  const findings = new AiFindings(
    connection(),
    {
      history: (annotationUid) => options.store.history(annotationUid),
      aiHistories: (studyInstanceUID) => options.store.aiHistories(studyInstanceUID),
      save: async (versions) => {
        await options.annotation()['annotation.save']({ versions: versions as never });
      },
      schema: options.schema,
      reader: () => options.identity().readerId,
    },
    segments ?? undefined,
  );

  const notHidden = (studyInstanceUID: string): void => {
    if (review.aiHidden(studyInstanceUID))
      throw new AppError(
        ErrorCode.Forbidden,
        "This project hides the AI's findings from annotators until the study is reviewed.",
      );
  };

  const handlers: AiReviewHandlers = {
    'ai.findings': async ({ studyInstanceUID }) => {
      if (review.aiHidden(studyInstanceUID))
        return { findings: [], reviewed: false, undoableBatch: null, hidden: true };
      const list = findings.list(studyInstanceUID);
      return {
        findings: list.map(findingForList),
        reviewed: list.length > 0 && list.every((finding) => finding.decision !== null),
        undoableBatch: findings.undoableBatch(list),
        hidden: false,
      };
    },
    'ai.decide': async (request) => {
      notHidden(request.studyInstanceUID);
      const result = await findings.decide(request);
      options.logger.debug({ decision: request.decision }, 'AI finding decided');
      return result;
    },
    'ai.acceptAbove': async ({ studyInstanceUID, minConfidence }) => {
      notHidden(studyInstanceUID);
      return findings.acceptAbove(studyInstanceUID, minConfidence);
    },
    'ai.undoBatch': async ({ studyInstanceUID, batchId }) => {
      notHidden(studyInstanceUID);
      return findings.undoBatch(studyInstanceUID, batchId);
    },
    'ai.segmentationSources': async ({ annotationUid }) =>
      segments ? segments.sources(annotationUid) : { references: [], segments: [] },
    'ai.rejectionReasons': async () => rejectionReasons(options.schema()),
    'review.state': async () => review.state(),
    'review.saveSettings': async (settings) => review.saveSettings(settings),
    'review.return': async ({ studyInstanceUID, comment }) => {
      review.requireRole(REVIEWERS, 'Only a reviewer can return a study.');
      await options.annotation()['annotation.setStudyStatus']({ studyInstanceUID, status: 'draft' });
      return review.record(studyInstanceUID, 'returned', comment);
    },
    'review.verify': async ({ studyInstanceUID, comment }) => {
      review.requireRole(REVIEWERS, 'Only a reviewer can verify a study.');
      // Checked like "complete": a study missing a required answer cannot be verified either.
      await options.annotation()['annotation.setStudyStatus']({ studyInstanceUID, status: 'verified' });
      return review.record(studyInstanceUID, 'verified', comment);
    },
    'review.events': async ({ studyInstanceUID }) => review.events(studyInstanceUID),
  };

  return {
    handlers,
    review,
    findings,
    segments,
    guard(all) {
      const guarded = { ...all };
      const list = all['annotation.list'];
      guarded['annotation.list'] = async (request) => {
        const result = await list(request);
        const visible = review.visibility(request.studyInstanceUID);
        return visible ? keepHeads(result, visible) : result;
      };
      const history = all['annotation.history'];
      guarded['annotation.history'] = async (request) => {
        const versions = await history(request);
        const first: AnnotationVersion | undefined = versions[0];
        const visible = first ? review.visibility(first.studyInstanceUID) : null;
        return visible ? versions.filter(visible) : versions;
      };
      // Segmentations follow the same rule: a blinded annotator gets their own labelmaps (and the
      // AI's unless blindAi), in the list and when loading one.
      const listSegmentations = all['segmentation.list'];
      guarded['segmentation.list'] = async (request) => {
        const heads = await listSegmentations(request);
        const first = heads[0];
        const visible = first ? review.visibility(first.studyInstanceUID) : null;
        return visible ? heads.filter((head) => visible(head as unknown as AnnotationVersion)) : heads;
      };
      const loadSegmentation = all['segmentation.load'];
      guarded['segmentation.load'] = async (request) => {
        const view = await loadSegmentation(request);
        const visible = review.visibility(view.studyInstanceUID);
        if (visible && !visible(view as unknown as AnnotationVersion))
          throw new AppError(
            ErrorCode.Forbidden,
            'This project hides this segmentation from you until review.',
          );
        return view;
      };
      // The statistics of a blinded project, for an annotator: their own figures only (the reader
      // filter forced to themselves, no agreement with others) and nothing of the AI's with blindAi.
      const blindedAnnotator = (): { me: string; blindAi: boolean } | null => {
        const settings = review.settings();
        if (!settings.blinded || review.role() !== 'annotator') return null;
        return { me: options.identity().readerId, blindAi: settings.blindAi };
      };
      const dashboard = all['stats.dashboard'];
      guarded['stats.dashboard'] = async (filter) => {
        const blind = blindedAnnotator();
        if (!blind) return dashboard(filter);
        const answer = await dashboard({ ...filter, readers: [blind.me] });
        const own = <T extends { reader: string }>(rows: T[]) =>
          rows.filter((row) => row.reader === blind.me);
        return {
          ...answer,
          options: {
            ...answer.options,
            readers: [blind.me],
            models: blind.blindAi ? [] : answer.options.models,
          },
          totals: {
            ...answer.totals,
            readers: 1,
            ...(blind.blindAi ? { aiFindings: 0 } : {}),
          },
          progressByReader: own(answer.progressByReader),
          annotationsByLabel: own(answer.annotationsByLabel),
          readingTime: own(answer.readingTime),
          aiDecisions: blind.blindAi ? [] : answer.aiDecisions,
          agreement: { pairs: [], fleiss: [] },
        };
      };
      const projectAgreement = all['agreement.project'];
      guarded['agreement.project'] = async (request) => {
        if (blindedAnnotator())
          throw new AppError(
            ErrorCode.Forbidden,
            'In a blinded project, agreement between readers is for reviewers.',
          );
        return projectAgreement(request);
      };
      const studyAgreement = all['agreement.study'];
      guarded['agreement.study'] = async (request) => {
        if (review.visibility(request.studyInstanceUID))
          throw new AppError(
            ErrorCode.Forbidden,
            'In a blinded project, agreement between readers is for reviewers.',
          );
        return studyAgreement(request);
      };
      // The worklist's "AI reviewed": each study's AI findings and how many this reader decided.
      const listStudies = all['catalog.listStudies'];
      guarded['catalog.listStudies'] = async (request) => {
        const page = await listStudies(request);
        return {
          ...page,
          studies: page.studies.map((row) => {
            if (!row.annotation || review.aiHidden(row.studyInstanceUID)) return row;
            const ai = findings.summary(row.studyInstanceUID);
            return ai.findings > 0 ? { ...row, annotation: { ...row.annotation, ai } } : row;
          }),
        };
      };
      const setStatus = all['annotation.setStudyStatus'];
      guarded['annotation.setStudyStatus'] = async (request) => {
        if (request.status === 'verified')
          review.requireRole(REVIEWERS, 'Only a reviewer can verify a study.');
        return setStatus(request);
      };
      return guarded;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
