/**
 * Annotation keys (renderer/src/annotation/shortcuts.ts): how a key press is written, and that a
 * key already used — by the viewer or by another action — is refused.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  actionFor,
  comboOf,
  defineShortcuts,
  useShortcutsStore,
} from '../../../renderer/src/annotation/shortcuts.js';

const press = (
  key: string,
  modifiers: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {},
) => comboOf({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...modifiers });

describe('a key press as a combo', () => {
  it('writes letters in capitals, Shift only when held', () => {
    expect(press('l')).toBe('L');
    expect(press('A', { shiftKey: true })).toBe('Shift+A');
  });
  it('writes modifiers in the order Ctrl, Alt, Shift, with ⌘ as Ctrl', () => {
    expect(press('z', { ctrlKey: true, shiftKey: true })).toBe('Ctrl+Shift+Z');
    expect(press('z', { metaKey: true })).toBe('Ctrl+Z');
    expect(press('ArrowDown', { ctrlKey: true })).toBe('Ctrl+ArrowDown');
  });
  it('leaves Shift out of symbols it produces, and ignores a bare modifier', () => {
    expect(press('?', { shiftKey: true })).toBe('?');
    expect(press('Shift', { shiftKey: true })).toBeNull();
  });
});

describe('binding keys', () => {
  beforeEach(() => useShortcutsStore.getState().resetAll());

  it('has a default key for every measurement tool, undo/redo, next/previous study and complete', () => {
    expect(actionFor('L')).toBe('tool.Length');
    expect(actionFor('Shift+A')).toBe('tool.CobbAngle');
    expect(actionFor('Ctrl+Z')).toBe('edit.undo');
    expect(actionFor('Ctrl+Y')).toBe('edit.redo');
    expect(actionFor('Ctrl+Shift+Z')).toBe('edit.redo');
    expect(actionFor('Ctrl+ArrowDown')).toBe('study.next');
    expect(actionFor('Ctrl+Enter')).toBe('study.complete');
  });

  it('refuses the viewer’s own keys, with or without Shift for letters', () => {
    for (const combo of ['R', 'Shift+R', '1', 'ArrowUp', 'Escape', 'Space', '['])
      expect(useShortcutsStore.getState().bind('tool.Length', combo)).toEqual({
        ok: false,
        reason: 'reserved',
      });
  });

  it('refuses a key another action has, and says which', () => {
    expect(useShortcutsStore.getState().bind('tool.Length', 'A')).toEqual({
      ok: false,
      reason: 'taken',
      by: 'tool.Angle',
    });
    expect(actionFor('L')).toBe('tool.Length');
  });

  it('takes a free key, which then replaces the action’s default', () => {
    expect(useShortcutsStore.getState().bind('tool.Length', 'K')).toEqual({ ok: true });
    expect(actionFor('K')).toBe('tool.Length');
    expect(actionFor('L')).toBeNull();
  });

  it('gives a label a key, and a removed key frees it for another action', () => {
    expect(useShortcutsStore.getState().bind('label.nodule', 'Alt+2')).toEqual({ ok: true });
    expect(actionFor('Alt+2')).toBe('label.nodule');
    useShortcutsStore.getState().clear('label.nodule');
    expect(useShortcutsStore.getState().bind('label.lesion', 'Alt+2')).toEqual({ ok: true });
  });

  it('lets another module add actions with defaults (segmentation tools)', () => {
    defineShortcuts({ 'tool.Brush': ['B'] });
    expect(actionFor('B')).toBe('tool.Brush');
    expect(useShortcutsStore.getState().bind('tool.Length', 'B')).toMatchObject({
      ok: false,
      by: 'tool.Brush',
    });
  });
});
