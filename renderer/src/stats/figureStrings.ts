/** The dashboard's texts for shared/stats-figures.ts, from one language's strings (strings.ts). */
import type { FigureStrings } from '../../../shared/stats-figures.js';
import type { statsEn } from './strings.js';

export function figureStrings(
  s: typeof statsEn,
  labelName: (labelId: string) => string,
  questionName: (questionId: string) => string,
): FigureStrings {
  return {
    titles: s.titles,
    states: s.states,
    decisions: s.decisions,
    axis: s.axis,
    columns: s.columns,
    agreement: {
      dice: s.agreement.dice,
      kappa: (questionId) => s.agreement.kappa.replace('{{question}}', questionName(questionId)),
      relativeError: s.agreement.relativeError,
      fleiss: s.agreement.fleiss,
    },
    buckets: s.buckets,
    labelName,
    raterName: (rater) => rater,
    noData: s.empty,
  };
}
