/** The dashboard's English texts with label ids as names (what the tests export). */
import { figureStrings } from '../../../renderer/src/stats/figureStrings.js';
import { statsEn } from '../../../renderer/src/stats/strings.js';

export const testFigureStrings = figureStrings(
  statsEn,
  (id) => id,
  (id) => id,
);
