/**
 * What a study's SR carries beyond the measurements (docs/ai-review.md "Export"):
 *
 * - provenance of each reader measurement that was an AI finding the reader accepted or edited
 *   (the model, the AI object's SOP Instance UID, the decision), found in the chain's history;
 * - PredecessorDocumentsSequence naming the AI SRs whose findings the reader edited (the reader's
 *   report revises them; the AI SR itself is untouched and keeps its device observer);
 * - VerificationFlag VERIFIED with the reviewer as verifying observer when the study is verified.
 */
import type { ReviewEvent } from '../../shared/ai.js';
import type { AnnotationVersion, StudyAnnotationStatus } from '../../shared/annotation.js';
import type { DocumentReference, SrProvenance } from '../annotation/dicom/sr-write.js';
import type { AnnotationVersionLike } from '../annotation/dicom/model.js';
import { SR_SOP_CLASSES } from '../annotation/dicom/sr-read.js';
import { aiVersionOf, decisionOf, isAiSource, provenanceOf } from './findings.js';

export interface SrExtrasSource {
  history(annotationUid: string): Promise<AnnotationVersion[]>;
  studyStatus(studyInstanceUID: string): Promise<StudyAnnotationStatus>;
  reviewEvents(studyInstanceUID: string): Promise<ReviewEvent[]>;
}

export interface SrExtras {
  provenanceOf: (version: AnnotationVersionLike) => SrProvenance | null;
  predecessors: DocumentReference[];
  verification?: { observer: string; organization: string; at: Date };
}

export async function srExtras(
  source: SrExtrasSource,
  studyInstanceUID: string,
  versions: readonly AnnotationVersionLike[],
): Promise<SrExtras> {
  const provenance = new Map<string, SrProvenance>();
  const predecessors = new Map<string, DocumentReference>();
  for (const version of versions) {
    if (version.kind !== 'measurement' || isAiSource(version.source)) continue;
    const history = await source.history(version.annotationUid);
    const aiVersion = aiVersionOf(history);
    if (!aiVersion) continue;
    const state = decisionOf(history, aiVersion, version.author);
    if (state.decision !== 'accepted' && state.decision !== 'edited') continue;
    const ai = provenanceOf(aiVersion);
    provenance.set(version.versionId, {
      model: ai.model,
      decision: state.decision,
      ...(ai.sopInstanceUID ? { sopInstanceUID: ai.sopInstanceUID } : {}),
    });
    if (
      state.decision === 'edited' &&
      ai.sopInstanceUID &&
      ai.seriesInstanceUID &&
      ai.sopClassUID &&
      SR_SOP_CLASSES.has(ai.sopClassUID)
    )
      predecessors.set(ai.sopInstanceUID, {
        studyInstanceUID: aiVersion.studyInstanceUID,
        seriesInstanceUID: ai.seriesInstanceUID,
        sopClassUID: ai.sopClassUID,
        sopInstanceUID: ai.sopInstanceUID,
      });
  }
  const status = await source.studyStatus(studyInstanceUID);
  let verification: SrExtras['verification'];
  if (status.status === 'verified') {
    const verified = (await source.reviewEvents(studyInstanceUID)).filter((e) => e.action === 'verified');
    const last = verified[verified.length - 1];
    verification = {
      observer: last?.reviewer ?? status.reader ?? 'Unknown',
      organization: 'RadLabel',
      at: new Date(last?.at ?? status.changedAt ?? Date.now()),
    };
  }
  return {
    provenanceOf: (version) => provenance.get(version.versionId) ?? null,
    predecessors: [...predecessors.values()],
    ...(verification ? { verification } : {}),
  };
}
