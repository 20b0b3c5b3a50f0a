/** Every migration, oldest first. Add a file per schema change and append it here; never edit a shipped one. */
import { initial } from './0001-initial.js';
import { studySearch } from './0002-study-search.js';
import { nameSearchKeys } from './0003-name-search-keys.js';
import { heldObjects } from './0004-held-objects.js';
import { annotations } from './0005-annotations.js';
import { labelmapSlices } from './0006-labelmap-slices.js';
import { auditLog } from './0007-audit-log.js';
import { accounts } from './0008-accounts.js';
import { pacsNodes } from './0009-pacs-nodes.js';
import { retention } from './0010-retention.js';
import { syncOutbox } from './0011-sync-outbox.js';
import { syncConflicts } from './0012-sync-conflicts.js';
import { accountAdmin } from './0014-account-admin.js';
import { readingTime } from './0016-reading-time.js';
import { reviewEvents } from './0015-review-events.js';
import { modelRuns } from './0017-model-runs.js';
import { statsFacts } from './0018-stats-facts.js';
import { aiSegments } from './0019-ai-segments.js';
import { agreementSums } from './0020-agreement-sums.js';
import { syncKeptUids } from './0022-sync-kept-uids.js';
import { statsAggregates } from './0023-stats-aggregates.js';
import { statsPartialIndexes } from './0024-stats-partial-indexes.js';
import { pacsReceivedProblems } from './0025-pacs-received-problems.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const migrations: readonly Migration[] = [
  initial,
  studySearch,
  nameSearchKeys,
  heldObjects,
  annotations,
  labelmapSlices,
  auditLog,
  accounts,
  pacsNodes,
  retention,
  syncOutbox,
  syncConflicts,
  accountAdmin,
  reviewEvents,
  readingTime,
  modelRuns,
  statsFacts,
  aiSegments,
  agreementSums,
  syncKeptUids,
  statsAggregates,
  statsPartialIndexes,
  pacsReceivedProblems,
];
