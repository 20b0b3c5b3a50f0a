/**
 * A series' instances (`catalog.listInstances`), shared by everyone who needs them while a study
 * opens. The viewer's image lists, the annotation panel (where each image is) and the MPR button
 * (the series' geometry) each asked main for the same list at mount: three calls, the later two
 * queued in main ahead of the study's annotations. Now the viewer asks (`fresh`: each opening reads
 * the catalog again, as before) and the others take its answer, or the one on its way.
 */
import type { InstanceSummary } from '../../../shared/contract.js';
import { host } from '../host/index.js';

const latest = new Map<string, Promise<InstanceSummary[]>>();

/**
 * The series' instances: with `fresh`, asked of main now (and shared from then on); else the
 * answer already asked for, or a new call if none was.
 */
export function seriesInstances(
  seriesInstanceUID: string,
  options: { fresh?: boolean } = {},
): Promise<InstanceSummary[]> {
  let pending = options.fresh ? undefined : latest.get(seriesInstanceUID);
  if (!pending) {
    const asked = host.api.call('catalog.listInstances', { seriesInstanceUID });
    pending = asked;
    asked.catch(() => {
      if (latest.get(seriesInstanceUID) === asked) latest.delete(seriesInstanceUID);
    });
    latest.set(seriesInstanceUID, asked);
  }
  return pending;
}

/**
 * The lists of the series a study chosen in the worklist would open with, asked when it is chosen
 * (`prepareSeriesLists`): opening it (double-click, Enter) then finds them, so its first images are
 * requested at once and the viewer mounts without waiting for main. Kept for the chosen study's
 * detail only — the same answer the worklist shows, as fresh as it — and taken once, by the next
 * opening of that detail.
 */
let prepared: { detail: object; lists: Map<string, Promise<InstanceSummary[]>> } | null = null;

export function prepareSeriesLists(
  detail: object,
  seriesInstanceUIDs: readonly string[],
): Map<string, Promise<InstanceSummary[]>> {
  const lists = new Map(seriesInstanceUIDs.map((uid) => [uid, seriesInstances(uid, { fresh: true })]));
  prepared = { detail, lists };
  return lists;
}

/** Whether the lists prepared for `detail` are still waiting for its opening (not claimed, not replaced). */
export function listsPreparedFor(detail: object): boolean {
  return prepared?.detail === detail;
}

/** The lists prepared for `detail` (the very object chosen in the worklist), if any; forgets them. */
export function claimPreparedLists(detail: object): Map<string, Promise<InstanceSummary[]>> | undefined {
  const claimed = prepared?.detail === detail ? prepared.lists : undefined;
  prepared = null;
  return claimed;
}
