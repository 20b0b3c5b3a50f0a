/**
 * The title of an AI finding in the list (docs/ai-review.md): its label's name in the reader's
 * language when the project's schema has the label; else, for a SEG segment, the segment's own
 * label (Segment Label, else "Segment n" as main reads it); else the label id the AI object named;
 * else a title from its type ("AI finding · length", "AI segment 4"). Never empty.
 */
import type { TFunction } from 'i18next';
import type { AiFinding } from '../../../shared/ai.js';
import { type LabelSchema, MEASUREMENT_TOOLS } from '../../../shared/annotation.js';
import { localized } from '../annotation/tools/labels.js';

/** The palette's tools have a name of their own (`ai.toolNames.<tool>`); any other is "other". */
const TOOLS: ReadonlySet<string> = new Set<string>(MEASUREMENT_TOOLS);

export function findingTitle(
  finding: AiFinding,
  schema: Pick<LabelSchema, 'labels'>,
  language: string,
  t: TFunction,
): string {
  const labelId = finding.aiVersion.labelId;
  const label = labelId ? schema.labels.find((item) => item.id === labelId) : undefined;
  const named = label ? localized(label.name, language).trim() : '';
  if (named) return named;
  const segmentName = finding.segment?.name.trim();
  if (segmentName) return segmentName;
  if (labelId?.trim()) return labelId.trim();
  if (finding.segment) return t('ai.untitledSegment', { number: finding.segment.segmentIndex });
  const tool = finding.aiVersion.tool;
  return t('ai.untitled', { type: t(`ai.toolNames.${TOOLS.has(tool) ? tool : 'other'}`) });
}
