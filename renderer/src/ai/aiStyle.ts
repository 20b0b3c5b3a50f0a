/**
 * How AI findings look in the viewport (docs/ai-review.md): an undecided finding is dashed in the
 * AI colour, so it never passes for a reader's measurement; once accepted or edited it takes its
 * label's colour and a solid line like the reader's own. Reviewers colour annotations per reader.
 */
import { annotation as csAnnotation } from '@cornerstonejs/tools';
import type { AiFinding } from '../../../shared/ai.js';
import { renderAll, showRecord } from '../annotation/tools/labeling.js';

/** The AI's colour (magenta: no label colour of the built-in schema uses it). */
export const AI_COLOR = '#ff4fd8';
export const AI_DASH = '6,4';

/** Distinct reader colours for the reviewer's overlay. */
export const READER_COLORS = ['#4dabf7', '#ffa94d', '#69db7c', '#ffd43b', '#da77f2', '#ff8787', '#3bc9db'];

export function styleFindings(findings: readonly AiFinding[]): void {
  // Cornerstone's getAnnotation scans every annotation: the uids it holds are read once instead
  // (200 findings asked one by one cost 40,000 comparisons).
  const present = new Set(
    csAnnotation.state.getAllAnnotations().map((annotation) => annotation.annotationUID),
  );
  for (const finding of findings) {
    const uid = finding.annotationUid;
    if (!present.has(uid)) continue;
    if (finding.decision === null) {
      csAnnotation.config.style.setAnnotationStyles(uid, {
        color: AI_COLOR,
        colorHighlighted: AI_COLOR,
        colorSelected: AI_COLOR,
        colorLocked: AI_COLOR,
        lineDash: AI_DASH,
        textBoxColor: AI_COLOR,
      });
    } else {
      csAnnotation.config.style.setAnnotationStyles(uid, { lineDash: '' });
      showRecord(uid);
    }
  }
  renderAll();
}

/** The reviewer's overlay: each reader's annotations in their colour, readers filtered out hidden. */
export function styleReaders(
  authors: ReadonlyMap<string, string>,
  colors: ReadonlyMap<string, string>,
  shown: string | null,
): void {
  for (const [uid, author] of authors) {
    if (!csAnnotation.state.getAnnotation(uid)) continue;
    const color = colors.get(author);
    if (color)
      csAnnotation.config.style.setAnnotationStyles(uid, {
        color,
        colorHighlighted: color,
        colorSelected: color,
        colorLocked: color,
        textBoxColor: color,
      });
    csAnnotation.visibility.setAnnotationVisibility(uid, shown === null || shown === author);
  }
  renderAll();
}
