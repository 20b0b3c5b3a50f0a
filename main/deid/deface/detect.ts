/**
 * Which series show a face (Clean Recognizable Visual Features): a face can be rebuilt from
 * thin-slice head CT and MR and matched by face recognition. A series is face-bearing when
 *
 *   header    CT or MR of the head or neck (BodyPartExamined, or the study or series
 *             description in English or Chinese), slices at most 3 mm thick (SliceThickness,
 *             else the spacing between slices);
 *   geometry  its volume extends in front of the skull: the automatic surface (surface.ts)
 *             finds a nose on the mid-sagittal profile. A volume that cannot be read for the
 *             surface (not axial, unsupported pixels) counts as face-bearing: nothing shows
 *             that the face is absent.
 */
import type { SeriesHeader } from './volume.js';

export const MAX_FACE_SLICE_MM = 3;

const HEAD_BODY_PART =
  /^(HEAD|BRAIN|SKULL|NECK|HEADNECK|HEAD ?AND ?NECK|FACE|ORBIT|SINUS|IAC|TEMPORAL ?BONE|MAXILLA|MANDIBLE|JAW|TMJ|NOSE|NASOPHARYNX|DENTAL|CRANIUM)$/i;
const HEAD_DESCRIPTION =
  /\b(head|brain|skull|neck|face|facial|orbits?|sinus(es)?|cranial|cranium|maxillo\w*|mandible|jaw|dental|nasopharynx)\b|[头顱颅脑腦颈頸面眼眶鼻窦竇颌頜]/i;

/** The header's part of the test: head or neck, CT or MR, thin slices. */
export function headerSuggestsFace(header: SeriesHeader, sliceSpacing: number | null): boolean {
  if (header.modality !== 'CT' && header.modality !== 'MR') return false;
  const head =
    HEAD_BODY_PART.test(header.bodyPart.trim()) ||
    HEAD_DESCRIPTION.test(header.studyDescription) ||
    HEAD_DESCRIPTION.test(header.seriesDescription);
  if (!head) return false;
  const thickness = header.sliceThickness ?? sliceSpacing;
  return thickness !== null && thickness > 0 && thickness <= MAX_FACE_SLICE_MM;
}
