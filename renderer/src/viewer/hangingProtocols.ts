/**
 * Hanging protocols: how a study is laid out when it opens, chosen by its modality.
 *
 * - CT: 1×2, the two largest axial series side by side (series named scout, localizer, topogram,
 *   surview, sagittal, coronal, MIP or 3D are not axial reading series and come last);
 * - MR: 2×2, the first four series by series number;
 * - CR, DX, MG (and other projection images): one image per viewport, up to 2×2 — every image of
 *   the study in series order, a series of several images spread over several viewports;
 * - anything else: 1×1, the first series with images.
 *
 * When the reader changes the layout of a study, that layout is remembered for the modality and
 * used next time (the series order of the protocol fills it).
 */
import type { SeriesSummary, StudyDetail } from '../../../shared/contract.js';
import { type Layout, viewportCountOf } from '../stores/useViewerStore.js';

/** One viewport of the protocol: a series and the image of it to show first (0-based). */
export interface HangingView {
  seriesInstanceUID: string;
  imageIndex: number;
}

export interface HangingPlan {
  layout: Layout;
  views: HangingView[];
}

const PROJECTION_MODALITIES = new Set(['CR', 'DX', 'MG', 'IO', 'PX', 'RF', 'XA']);
const NOT_AXIAL = /scout|locali[sz]er|topo|surview|sag|cor(?:onal|\b)|mip|mpr|3d|vr\b|dose|report/i;

/** The modality that decides the protocol: the first image series' (reports and the like skipped). */
export function primaryModality(detail: StudyDetail): string {
  const imaging = detail.series.filter((series) => series.numberOfInstances > 0 && hasImages(series));
  return (imaging[0] ?? detail.series[0])?.modality ?? '';
}

const NON_IMAGE = new Set(['SR', 'PR', 'KO', 'DOC', 'RTPLAN', 'RTSTRUCT', 'RTRECORD', 'REG', 'FID', 'SEG']);
function hasImages(series: SeriesSummary): boolean {
  return !NON_IMAGE.has(series.modality) && series.numberOfInstances > 0;
}

const bySeriesNumber = (a: SeriesSummary, b: SeriesSummary) =>
  (a.seriesNumber ?? Number.MAX_SAFE_INTEGER) - (b.seriesNumber ?? Number.MAX_SAFE_INTEGER);

/** The smallest layout holding `count` viewports. */
export function layoutFor(count: number): Layout {
  if (count <= 1) return '1x1';
  if (count === 2) return '1x2';
  return '2x2';
}

/** Series in the order the protocol fills viewports. */
function orderedViews(detail: StudyDetail, modality: string): HangingView[] {
  const images = detail.series.filter(hasImages);
  const view = (series: SeriesSummary, imageIndex = 0): HangingView => ({
    seriesInstanceUID: series.seriesInstanceUID,
    imageIndex,
  });
  if (modality === 'CT') {
    const axial = (series: SeriesSummary) =>
      series.numberOfInstances > 1 && !NOT_AXIAL.test(series.seriesDescription);
    const ranked = [...images].sort(
      (a, b) =>
        Number(axial(b)) - Number(axial(a)) ||
        b.numberOfInstances - a.numberOfInstances ||
        bySeriesNumber(a, b),
    );
    return ranked.map((series) => view(series));
  }
  if (PROJECTION_MODALITIES.has(modality)) {
    return [...images]
      .sort(bySeriesNumber)
      .flatMap((series) =>
        Array.from({ length: Math.min(series.numberOfInstances, 4) }, (_, index) => view(series, index)),
      );
  }
  return [...images].sort(bySeriesNumber).map((series) => view(series));
}

/** The protocol's default layout for a modality, before the reader changed anything. */
function defaultLayout(modality: string, available: number): Layout {
  if (modality === 'CT') return layoutFor(Math.min(2, available));
  if (modality === 'MR') return layoutFor(Math.min(4, available));
  if (PROJECTION_MODALITIES.has(modality)) return layoutFor(Math.min(4, available));
  return '1x1';
}

export function isLayout(value: string): value is Layout {
  return Object.prototype.hasOwnProperty.call(viewportCountOf, value);
}

/**
 * How to hang a study. `remembered` is the layout the reader chose last for this modality, if any;
 * `preferred` a series that must come first (the one double-clicked in the worklist).
 */
export function hangStudy(
  detail: StudyDetail,
  remembered: Record<string, string>,
  preferred?: string,
): HangingPlan {
  const modality = primaryModality(detail);
  let views = orderedViews(detail, modality);
  if (preferred) {
    const chosen = detail.series.find((series) => series.seriesInstanceUID === preferred);
    if (chosen) {
      views = [
        { seriesInstanceUID: preferred, imageIndex: 0 },
        ...views.filter((item) => item.seriesInstanceUID !== preferred),
      ];
    }
  }
  if (views.length === 0) {
    // Nothing to hang (a report, a plan): the first series, which says it has no images.
    const first = detail.series.find((series) => series.numberOfInstances > 0) ?? detail.series[0];
    if (first) views = [{ seriesInstanceUID: first.seriesInstanceUID, imageIndex: 0 }];
  }
  const memory = remembered[modality];
  const layout = memory && isLayout(memory) ? memory : defaultLayout(modality, views.length);
  return { layout, views: views.slice(0, viewportCountOf[layout]) };
}
