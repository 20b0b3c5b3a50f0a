/**
 * The tools' and panel's one door to the annotation store (useAnnotationStore.ts and persist.ts,
 * which save every change as a new version within a second). Everything the interface changes
 * about a measurement — label, attributes, hidden, locked — goes through `updateRecord`; a
 * deletion is Cornerstone's removal, which persist.ts saves.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import type { AttributeValue as StoredAttributeValue, LabelSchema } from '../../../../shared/annotation.js';
import { DEFAULT_LABEL_SCHEMA } from '../../../../shared/default-label-schema.js';
import { host } from '../../host/index.js';
import { type AnnotationEntry, useAnnotationStore } from '../useAnnotationStore.js';

export type AttributeValue = StoredAttributeValue;

/** What the interface keeps per annotation beside Cornerstone's geometry. */
export interface AnnotationRecord {
  labelId?: string;
  attributes: Record<string, AttributeValue>;
  hidden: boolean;
  locked: boolean;
}

const emptyRecord: AnnotationRecord = { attributes: {}, hidden: false, locked: false };

function recordOfEntry(entry: AnnotationEntry | undefined): AnnotationRecord {
  if (!entry) return emptyRecord;
  return {
    ...(entry.labelId ? { labelId: entry.labelId } : {}),
    attributes: entry.attributes,
    hidden: entry.hidden,
    locked: entry.locked,
  };
}

export function recordOf(annotationUID: string): AnnotationRecord {
  return recordOfEntry(useAnnotationStore.getState().entries[annotationUID]);
}

export function updateRecord(annotationUID: string, patch: Partial<AnnotationRecord>): void {
  useAnnotationStore.getState().updateRecord(annotationUID, patch);
}

/** Every entry of the store (re-rendering when any changes). */
export function useEntries(): Record<string, AnnotationEntry> {
  return useAnnotationStore((state) => state.entries);
}

export { recordOfEntry };

const useSchemaStore = create<{ schema: LabelSchema }>()(() => ({ schema: DEFAULT_LABEL_SCHEMA }));
let schemaAsked = false;
let schemaFollowed = false;
/** Changes main has told of (a newer schema than an answer asked for before them). */
let schemaChanges = 0;

/** The label schema in use (the project's, else the built-in one). */
export function useSchema(): LabelSchema {
  const schema = useSchemaStore((state) => state.schema);
  useEffect(() => {
    askSchema();
  }, []);
  return schema;
}

/** Follows the schema's changes: loaded in settings or set by a sync project's manifest. */
function followSchema(): void {
  if (schemaFollowed) return;
  schemaFollowed = true;
  host.api.on('schema.changed', (view) => {
    schemaChanges += 1;
    useSchemaStore.setState({ schema: view.schema });
  });
}

/**
 * Follows main's schema and asks for the one in use, once per page (again after a failure). The
 * viewer's idle set-up asks while the worklist is shown (viewer/prewarm.ts), so a study's opening
 * neither sends the request nor re-renders the panels with its answer before the first image; a
 * schema loaded after that (while the worklist is shown) comes by its change event.
 */
export function askSchema(): void {
  followSchema();
  if (schemaAsked) return;
  schemaAsked = true;
  const changesBefore = schemaChanges;
  host.api
    .call('schema.get', {})
    .then((view) => {
      // A change told meanwhile is newer than this answer.
      if (schemaChanges === changesBefore) useSchemaStore.setState({ schema: view.schema });
    })
    .catch(() => {
      schemaAsked = false;
    });
}

export function schemaNow(): LabelSchema {
  return useSchemaStore.getState().schema;
}

/** Asks main for the schema again (after a project schema was loaded). */
export async function reloadSchema(): Promise<LabelSchema> {
  const view = await host.api.call('schema.get', {});
  useSchemaStore.setState({ schema: view.schema });
  return view.schema;
}
