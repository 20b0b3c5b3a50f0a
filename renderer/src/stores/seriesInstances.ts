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
