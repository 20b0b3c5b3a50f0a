/**
 * Where the reader was: the worklist search and selection, the open study (and a prior beside it),
 * the layout, the series, slice and window of each viewport, and the layout chosen per modality.
 * The renderer saves it as it changes; main keeps it in the data folder (`ui-session.json`), so a
 * reload of the page and a restart of the app both bring the reader back to the same place.
 *
 * It holds UIDs and the search text the reader typed (which may be a patient's name): it stays in
 * the data folder, like the catalog, and is never logged.
 */
import { z } from 'zod';
import { Uid } from './contract-parts.js';

/** One viewport: its series and the image and window it showed. */
export const ViewportSession = z.object({
  studyInstanceUID: Uid,
  seriesInstanceUID: Uid,
  /** The image shown: its SOP Instance UID and frame (1-based; null for single-frame objects). */
  sopInstanceUID: Uid.nullable(),
  frame: z.number().int().min(1).nullable(),
  /** 0-based position in the stack, used when the image above is no longer in the series. */
  imageIndex: z.number().int().min(0),
  windowWidth: z.number().positive().nullable(),
  windowCenter: z.number().nullable(),
});
export type ViewportSession = z.infer<typeof ViewportSession>;

export const UiSession = z.object({
  version: z.literal(1),
  /** Milliseconds since the epoch when the renderer saved it (the newer copy wins). */
  savedAt: z.number(),
  screen: z.enum(['worklist', 'viewer']),
  worklist: z.object({
    search: z.string().max(200),
    selectedStudyUID: Uid.nullable(),
  }),
  viewer: z
    .object({
      studyInstanceUID: Uid,
      /** A prior study of the same patient opened beside it ("compare prior"). */
      comparisonStudyUID: Uid.nullable(),
      layout: z.string().max(16),
      activeViewport: z.number().int().min(0).max(15),
      viewports: z.array(ViewportSession.nullable()).max(16),
    })
    .nullable(),
  /** The layout the reader last chose for studies of each modality (hanging protocol memory). */
  layoutByModality: z.record(z.string().max(16), z.string().max(16)),
});
export type UiSession = z.infer<typeof UiSession>;
