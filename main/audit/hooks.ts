/**
 * Where the audit log hears about things (docs/audit.md): each audited method is wrapped once
 * here, so the services themselves stay as they are. An entry is written after the method
 * succeeded (outcome 'ok'), or when it failed with a typed refusal (outcome 'refused' with the
 * error code); a job's entry is written when the job is accepted and its result when it ends.
 * Subjects are studies (pseudonymised by the log), patients (pseudonymised), jobs or readers.
 */
import type { Handlers, MethodName } from '../../shared/contract.js';
import { AppError } from '../../shared/errors.js';
import type { AuditDetail, AuditEvent } from './audit-log.js';

type Hook<M extends MethodName> = {
  event(request: Parameters<Handlers[M]>[0], response: Awaited<ReturnType<Handlers[M]>>): AuditEvent[];
  /** The subject when the method is refused. */
  refused?(request: Parameters<Handlers[M]>[0]): Omit<AuditEvent, 'outcome'>;
};

type Hooks = { [M in MethodName]?: Hook<M> };

export interface AuditHookDeps {
  record(event: AuditEvent): void;
  /** Resolves when an import job ends, with its counts (null when unknown). */
  importDone(jobId: string): Promise<AuditDetail | null>;
}

export function auditHooks(deps: AuditHookDeps): Hooks {
  return {
    'import.start': {
      event: (request, response) => {
        void deps.importDone(response.jobId).then((counts) => {
          if (counts)
            deps.record({ action: 'import', subjectKind: 'job', subject: response.jobId, detail: counts });
        });
        return [
          {
            action: 'import',
            subjectKind: 'job',
            subject: response.jobId,
            detail: { phase: 'started', sources: request.paths.length },
          },
        ];
      },
    },
    'catalog.getStudy': {
      event: (request, response) => [
        {
          action: 'view',
          subjectKind: 'study',
          subject: request.studyInstanceUID,
          detail: { series: response.series.length },
        },
      ],
    },
    'annotation.save': {
      event: (request) => {
        const perStudy = new Map<string, number>();
        for (const version of request.versions)
          perStudy.set(version.studyInstanceUID, (perStudy.get(version.studyInstanceUID) ?? 0) + 1);
        return [...perStudy].map(([study, versions]) => ({
          action: 'annotate' as const,
          subjectKind: 'study' as const,
          subject: study,
          detail: { versions },
        }));
      },
    },
    'annotation.setStudyStatus': {
      event: (request) => [
        {
          action: 'annotate',
          subjectKind: 'study',
          subject: request.studyInstanceUID,
          detail: { status: request.status },
        },
      ],
    },
    'segmentation.saveSlices': {
      event: (request, response) => [
        {
          action: 'annotate',
          subjectKind: 'study',
          subject: request.studyInstanceUID,
          detail: { segmentation: true, slices: response.slicesStored },
        },
      ],
    },
    'annotation.importFiles': {
      event: (request) => [
        {
          action: 'import',
          subjectKind: 'installation',
          subject: 'annotations',
          detail: { files: request.paths.length },
        },
      ],
    },
    'deid.exportStudy': {
      event: (request, response) => [
        {
          action: 'deidentify',
          subjectKind: 'study',
          subject: request.studyInstanceUID,
          detail: { job: response.jobId },
        },
      ],
      refused: (request) => ({
        action: 'deidentify',
        subjectKind: 'study',
        subject: request.studyInstanceUID,
      }),
    },
    'export.start': {
      event: (request, response) => [
        {
          action: 'export',
          subjectKind: 'job',
          subject: response.jobId,
          detail: { studies: request.studyInstanceUIDs.length, format: request.format },
        },
        ...request.studyInstanceUIDs.map((study) => ({
          action: 'export' as const,
          subjectKind: 'study' as const,
          subject: study,
          detail: { job: response.jobId, format: request.format },
        })),
      ],
    },
    'cache.deleteStudy': {
      event: (request, response) => [
        {
          action: 'delete',
          subjectKind: 'study',
          subject: request.studyInstanceUID,
          detail: {
            instances: response.instances,
            files: response.files,
            linkageEntries: response.linkageEntries,
          },
        },
      ],
      refused: (request) => ({ action: 'delete', subjectKind: 'study', subject: request.studyInstanceUID }),
    },
    'cache.deletePatient': {
      event: (request, response) => [
        {
          action: 'delete',
          subjectKind: 'patient',
          subject: request.patientId,
          detail: { studies: response.studies, instances: response.instances, files: response.files },
        },
      ],
    },
    'cache.markSynced': {
      event: (request) => [{ action: 'sync', subjectKind: 'study', subject: request.studyInstanceUID }],
    },
    'cache.purge': {
      event: () => [{ action: 'delete', subjectKind: 'installation', subject: 'retention-purge' }],
    },
    // The administrator's Clear of the PACS received problems (docs/pacs.md): how many rows went.
    'pacs.clearReceivedProblems': {
      event: (_request, response) => [
        {
          action: 'delete',
          subjectKind: 'installation',
          subject: 'pacs-received-problems',
          detail: { rows: response.cleared },
        },
      ],
      refused: () => ({ action: 'delete', subjectKind: 'installation', subject: 'pacs-received-problems' }),
    },
    // The PACS receiver's settings and remote nodes (administrators only when there are accounts):
    // what changed in outline, no caller list.
    'pacs.saveSettings': {
      event: (request) => [
        {
          action: 'settings',
          subjectKind: 'installation',
          subject: 'pacs-receiver',
          detail: {
            enabled: request.enabled,
            aeTitle: request.aeTitle,
            port: request.port,
            allowedCallers: request.allowedCallers.length,
            acceptAnyCaller: request.acceptAnyCaller,
          },
        },
      ],
      refused: () => ({ action: 'settings', subjectKind: 'installation', subject: 'pacs-receiver' }),
    },
    'pacs.saveNode': {
      event: (request, response) => [
        {
          action: 'settings',
          subjectKind: 'installation',
          subject: 'pacs-nodes',
          detail: { node: response.id, [request.id === undefined ? 'added' : 'changed']: true },
        },
      ],
      refused: () => ({ action: 'settings', subjectKind: 'installation', subject: 'pacs-nodes' }),
    },
    'pacs.deleteNode': {
      event: (request) => [
        {
          action: 'settings',
          subjectKind: 'installation',
          subject: 'pacs-nodes',
          detail: { node: request.id, deleted: true },
        },
      ],
      refused: () => ({ action: 'settings', subjectKind: 'installation', subject: 'pacs-nodes' }),
    },
    // AI decisions and reviews (docs/ai-review.md "Audit"): the finding ids (annotation ids, never
    // patient data), the decision, the reason id, the batch; a review's action, never its comment.
    'ai.decide': {
      event: (request, response) => [
        {
          action: 'ai-decision',
          subjectKind: 'study',
          subject: request.studyInstanceUID,
          detail: {
            decision: request.decision,
            finding: request.annotationUid,
            kind: response.finding.segment ? 'segment' : 'measurement',
            source: response.finding.aiVersion.source,
            ...(request.reasonId ? { reason: request.reasonId } : {}),
          },
        },
      ],
      refused: (request) => ({
        action: 'ai-decision',
        subjectKind: 'study',
        subject: request.studyInstanceUID,
      }),
    },
    'ai.acceptAbove': {
      event: (request, response) => [
        {
          action: 'ai-decision',
          subjectKind: 'study',
          subject: request.studyInstanceUID,
          detail: {
            decision: 'accepted-above',
            minConfidence: request.minConfidence,
            accepted: response.accepted,
            ...(response.batchId ? { batch: response.batchId } : {}),
            findings: response.annotationUids.join(' '),
          },
        },
      ],
      refused: (request) => ({
        action: 'ai-decision',
        subjectKind: 'study',
        subject: request.studyInstanceUID,
      }),
    },
    'ai.undoBatch': {
      event: (request, response) => [
        {
          action: 'ai-decision',
          subjectKind: 'study',
          subject: request.studyInstanceUID,
          detail: {
            decision: 'undone',
            batch: request.batchId,
            undone: response.undone,
            findings: response.annotationUids.join(' '),
          },
        },
      ],
      refused: (request) => ({
        action: 'ai-decision',
        subjectKind: 'study',
        subject: request.studyInstanceUID,
      }),
    },
    'review.return': {
      event: (request) => [
        {
          action: 'review',
          subjectKind: 'study',
          subject: request.studyInstanceUID,
          detail: { review: 'returned', commentChars: request.comment.length },
        },
      ],
      refused: (request) => ({ action: 'review', subjectKind: 'study', subject: request.studyInstanceUID }),
    },
    'review.verify': {
      event: (request) => [
        {
          action: 'review',
          subjectKind: 'study',
          subject: request.studyInstanceUID,
          detail: { review: 'verified' },
        },
      ],
      refused: (request) => ({ action: 'review', subjectKind: 'study', subject: request.studyInstanceUID }),
    },
    'backup.create': {
      event: (request) => [
        {
          action: 'backup',
          subjectKind: 'installation',
          subject: 'data-folder',
          detail: { withFiles: request.withFiles ?? false },
        },
      ],
    },
    'backup.restore': {
      event: () => [{ action: 'restore', subjectKind: 'installation', subject: 'data-folder' }],
      refused: () => ({ action: 'restore', subjectKind: 'installation', subject: 'data-folder' }),
    },
  };
}

/** Wraps the hooked handlers: the method runs first, then its audit entries are written. */
export function withAudit(handlers: Handlers, hooks: Hooks, record: (event: AuditEvent) => void): Handlers {
  const wrapped = { ...handlers } as Record<string, (request: unknown) => Promise<unknown>>;
  for (const [name, hook] of Object.entries(hooks) as [MethodName, Hook<MethodName>][]) {
    const handler = handlers[name] as ((request: unknown) => Promise<unknown>) | undefined;
    if (!handler) continue;
    const typedHook = hook as unknown as {
      event(request: unknown, response: unknown): AuditEvent[];
      refused?(request: unknown): Omit<AuditEvent, 'outcome'>;
    };
    wrapped[name] = async (request) => {
      let response: unknown;
      try {
        response = await handler(request);
      } catch (error) {
        if (typedHook.refused && error instanceof AppError)
          record({ ...typedHook.refused(request), outcome: 'refused', detail: { code: error.code } });
        throw error;
      }
      for (const event of typedHook.event(request, response)) record(event);
      return response;
    };
  }
  return wrapped as Handlers;
}
