/**
 * The effective action for one public attribute: the table (with the chosen options and the
 * project's overrides), or, for attributes the table does not name, the rules by VR and the
 * keep-list (docs/deid.md, "Attributes the table does not name").
 */
import type { DicomElement } from '../dicom/walker.js';
import type { EngineAction, TableAction } from '../profile/profile.js';
import { keepListTags } from '../profile/keep-list.js';
import type { ObjectContext } from './context.js';
import { isRepeatingGroup, temporalVrs, textVrs } from './tags.js';

export interface Decision {
  action: EngineAction;
  why: string;
  /** The table row's basic-profile action, when the table decided. */
  basic?: TableAction;
}

/**
 * DT attributes that version coding resources, not events. The table (2024b) treats them as dates
 * (D, or shifted under Modified Dates); a project override that keeps them (K) keeps them as is.
 */
export const codingVersions = new Set<number>([0x00080106, 0x00080107]);

/** The effective action for one attribute: table (with options and overrides), or the rules for unlisted ones. */
export function decide(context: ObjectContext, element: DicomElement, vr: string): Decision {
  const decided = decideByProfile(context, element, vr);
  // Inside a sequence the table replaces by a dummy (an institution or person code sequence),
  // coded text is as identifying as the rest: it becomes a dummy too.
  if (context.insideDummy > 0 && textVrs.has(vr) && (decided.action === 'K' || decided.action === 'C'))
    return { action: 'D', why: 'inside a dummy sequence' };
  return decided;
}

export function decideByProfile(context: ObjectContext, element: DicomElement, vr: string): Decision {
  const tag = element.tag;
  if (isRepeatingGroup(tag, 0x6000)) return { action: 'X', why: 'overlay' };
  if (isRepeatingGroup(tag, 0x5000)) return { action: 'X', why: 'curve' };
  const resolved = context.profile.resolve(tag);
  if (resolved) {
    // X/Z on a sequence: an empty sequence is invalid where the sequence is Type 3 (most of
    // them, e.g. Referenced Study Sequence), so it goes; X is allowed by the table either way.
    if (resolved.tableAction === 'X/Z' && element.items)
      return { action: 'X', why: 'table X/Z on a sequence' };
    return { action: resolved.action, why: resolved.source, basic: resolved.row?.basic };
  }
  const named = keepListTags.has(tag);
  if (!named && context.removeUnlisted) return { action: 'X', why: 'unlisted, removed' };
  if (vr === 'UI') return { action: context.options.has('retainUIDs') ? 'K' : 'U', why: 'unlisted UID' };
  if (temporalVrs.has(vr)) {
    if (context.options.has('retainLongitudinalFullDates')) return { action: 'K', why: 'unlisted date' };
    if (context.options.has('retainLongitudinalModifiedDates')) return { action: 'C', why: 'unlisted date' };
    return { action: 'X', why: 'unlisted date' };
  }
  if (textVrs.has(vr) && !named) {
    // Emptied rather than removed: nothing leaks, and a Type 2 attribute stays present.
    return (context.config.unlistedText ?? 'remove') === 'remove'
      ? { action: 'Z', why: 'unlisted text' }
      : { action: 'C', why: 'unlisted text' };
  }
  return { action: 'K', why: 'unlisted' };
}
