/**
 * The de-identification settings' schema: PS3.15 Annex E options, pixel rules, the clinical-trial
 * attributes. Used by the contract (the workstation's settings) and by the sync project manifest
 * (shared/sync-manifest.ts: a project brings its own). Its own module so that both can import it
 * without importing each other.
 */
import { z } from 'zod';

/** The options of PS3.15 Table E.1-1; the engine's CID 7050 codes for them are in main/deid/profile/options.ts. */
export const deidOptionNames = [
  'retainSafePrivate',
  'retainUIDs',
  'retainDeviceIdentity',
  'retainInstitutionIdentity',
  'retainPatientCharacteristics',
  'retainLongitudinalFullDates',
  'retainLongitudinalModifiedDates',
  'cleanDescriptors',
  'cleanStructuredContent',
  'cleanGraphics',
  'cleanPixelData',
  'cleanRecognizableVisualFeatures',
] as const;
export const DeidOptionName = z.enum(deidOptionNames);
export type DeidOptionName = z.infer<typeof DeidOptionName>;

/** A DICOM text value of at most 64 characters (LO), without control characters or backslash. */
const ShortText = z
  .string()
  .trim()
  .max(64)
  .refine((value) => !/[\\]/.test(value) && ![...value].some((c) => c.charCodeAt(0) < 0x20), {
    message: 'no backslash or control characters',
  });

/** Burned-in text at known places on a device's images: masked before anything leaves. */
export const DeidPixelRule = z
  .object({
    name: z.string().trim().min(1).max(100),
    match: z
      .object({
        modality: ShortText.optional(),
        manufacturer: ShortText.optional(),
        manufacturerModelName: ShortText.optional(),
        rows: z.number().int().min(1).max(65535).optional(),
        columns: z.number().int().min(1).max(65535).optional(),
      })
      .strict(),
    regions: z
      .array(
        z
          .object({
            x: z.number().int().min(0),
            y: z.number().int().min(0),
            width: z.number().int().min(1),
            height: z.number().int().min(1),
          })
          .strict(),
      )
      .min(1)
      .max(64),
  })
  .strict();
export type DeidPixelRule = z.infer<typeof DeidPixelRule>;

/**
 * The workstation's de-identification setup (one, until cloud projects bring theirs). The project
 * secret that every pseudonym derives from is never part of it: it stays in main, encrypted.
 */
export const DeidSettings = z
  .object({
    profile: z.enum(['basic', 'research']),
    options: z.array(DeidOptionName).max(deidOptionNames.length),
    /** Prefix of patient pseudonyms; letters, digits, `-` and `_`. */
    projectId: z
      .string()
      .trim()
      .min(1)
      .max(32)
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only'),
    clinicalTrial: z
      .object({
        sponsorName: ShortText,
        protocolId: ShortText,
        protocolName: ShortText.optional(),
        siteId: ShortText.optional(),
        siteName: ShortText.optional(),
      })
      .strict(),
    /** Read burned-in text with OCR to mask it (slower); off, objects at risk without a rule are held. */
    ocr: z.boolean(),
    pixelRules: z.array(DeidPixelRule).max(200),
  })
  .strict();
export type DeidSettings = z.infer<typeof DeidSettings>;
