/**
 * The de-identification engine's held reasons and warnings in the reader's language, looked up
 * by their stable codes (deid.heldReason.*, deid.warning.*). A code without a translation, or the
 * code `other`, shows the engine's English text: never a blank or a raw code.
 */
import type { TFunction } from 'i18next';

export function heldReasonText(t: TFunction, code: string | undefined, text: string): string {
  if (!code || code === 'other') return text;
  return t(`deid.heldReason.${code}`, { defaultValue: text, text });
}

export function warningText(t: TFunction, code: string, message: string): string {
  return t(`deid.warning.${code}`, { defaultValue: message });
}
