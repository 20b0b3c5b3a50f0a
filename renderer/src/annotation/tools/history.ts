/**
 * Undo/redo for the session, on Cornerstone's history memo (`utilities.HistoryMemo.DefaultHistoryMemo`
 * in core): Cornerstone's annotation tools push their own memos (drawn, moved, resized; a delete
 * made here pushes one too), the labelmap tools push their stroke memos (changed voxels only), and
 * the panel's edits (label, attributes, hide, lock) push the memos below. One ring for everything,
 * so Ctrl+Z undoes the last change whatever made it. The ring keeps the last 50 changes
 * (Cornerstone's default), which bounds memory.
 */
import { utilities as coreUtilities } from '@cornerstonejs/core';

const memo = () => coreUtilities.HistoryMemo.DefaultHistoryMemo;

export function undo(): void {
  memo().undo();
}

export function redo(): void {
  memo().redo();
}

export function canUndo(): boolean {
  return memo().canUndo;
}

export function canRedo(): boolean {
  return memo().canRedo;
}

/**
 * Records a change the reader made outside Cornerstone's tools: `apply(before)` undoes it,
 * `apply(after)` redoes it. The change itself is already made by the caller.
 */
export function recordChange<T>(id: string, before: T, after: T, apply: (state: T) => void): void {
  memo().push({
    id,
    operationType: 'radlabel-annotation-edit',
    restoreMemo: (isUndo = true) => apply(isUndo ? before : after),
  });
}
