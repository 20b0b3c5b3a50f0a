/**
 * The annotation keys in the help sheet (?), each with Change / Remove: Change waits for the next
 * key and keeps it unless the viewer or another action has it (then it says which). Labels of the
 * schema are listed too, without a key until the reader gives them one.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  type BindResult,
  comboOf,
  defaultShortcuts,
  displayCombo,
  effectiveShortcuts,
  useShortcutsStore,
} from './shortcuts.js';
import { localized } from './tools/labels.js';
import { useSchema } from './tools/storeLink.js';
import './tools/tools.css';

type Translate = TFunction;

/** The name of an action, as the help sheet shows it. */
export function actionName(action: string, t: Translate, labelName: (id: string) => string): string {
  if (action === 'edit.undo') return t('annotate.shortcuts.action.undo');
  if (action === 'edit.redo') return t('annotate.shortcuts.action.redo');
  if (action === 'study.next') return t('annotate.shortcuts.action.next');
  if (action === 'study.previous') return t('annotate.shortcuts.action.previous');
  if (action === 'study.complete') return t('annotate.shortcuts.action.complete');
  if (action.startsWith('tool.')) {
    const tool = action.slice(5);
    const key = `annotate.tool.${tool}`;
    const name = t(key);
    return t('annotate.shortcuts.action.tool', { tool: name === key ? tool : name });
  }
  if (action.startsWith('label.'))
    return t('annotate.shortcuts.action.label', { label: labelName(action.slice(6)) });
  return action;
}

export function AnnotationShortcutsSection() {
  const { t, i18n } = useTranslation();
  const schema = useSchema();
  const overrides = useShortcutsStore((state) => state.overrides);
  useShortcutsStore((state) => state.revision);
  const [capturing, setCapturing] = useState<string | null>(null);
  const [message, setMessage] = useState<{ action: string; text: string; ok: boolean } | null>(null);
  const keys = effectiveShortcuts(overrides);
  const labelName = (id: string) => {
    const label = schema.labels.find((item) => item.id === id);
    return label ? localized(label.name, i18n.language) : id;
  };
  const actions = [
    ...Object.keys(defaultShortcuts()),
    ...schema.labels.map((label) => `label.${label.id}`),
    ...Object.keys(overrides).filter(
      (action) =>
        action.startsWith('label.') && !schema.labels.some((label) => `label.${label.id}` === action),
    ),
  ];

  useEffect(() => {
    if (!capturing) return;
    const onKey = (event: KeyboardEvent) => {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (event.key === 'Escape') {
        setCapturing(null);
        return;
      }
      const combo = comboOf(event);
      if (!combo) return;
      const result: BindResult = useShortcutsStore.getState().bind(capturing, combo);
      const shown = displayCombo(combo);
      if (result.ok) setMessage({ action: capturing, text: t('annotate.shortcuts.saved'), ok: true });
      else if (result.reason === 'reserved')
        setMessage({ action: capturing, text: t('annotate.shortcuts.reserved', { key: shown }), ok: false });
      else
        setMessage({
          action: capturing,
          text: t('annotate.shortcuts.taken', { key: shown, action: actionName(result.by, t, labelName) }),
          ok: false,
        });
      setCapturing(null);
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  });

  return (
    <section className="help__section help__section--annotation" data-testid="shortcuts-annotation">
      <h3>{t('annotate.shortcuts.title')}</h3>
      <table className="help__table">
        <tbody>
          {actions.map((action) => (
            <tr key={action} data-testid="shortcut-row" data-action={action}>
              <td className="help__keys" data-testid="shortcut-keys">
                {capturing === action ? (
                  <em>{t('annotate.shortcuts.pressKey')}</em>
                ) : (
                  (keys[action] ?? []).map((combo) => <kbd key={combo}>{displayCombo(combo)}</kbd>)
                )}
              </td>
              <td>
                {actionName(action, t, labelName)}
                {message?.action === action ? (
                  <div
                    className={message.ok ? 'shortcut-message' : 'shortcut-message shortcut-message--error'}
                    role={message.ok ? 'status' : 'alert'}
                    data-testid="shortcut-message"
                  >
                    {message.text}
                  </div>
                ) : null}
              </td>
              <td className="shortcut-actions">
                <button
                  type="button"
                  className="tool-button"
                  data-testid="shortcut-change"
                  onClick={() => {
                    setMessage(null);
                    setCapturing(action);
                  }}
                >
                  {t('annotate.shortcuts.change')}
                </button>
                {(keys[action] ?? []).length > 0 ? (
                  <button
                    type="button"
                    className="tool-button"
                    data-testid="shortcut-clear"
                    onClick={() => useShortcutsStore.getState().clear(action)}
                  >
                    {t('annotate.shortcuts.clear')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="help__note">{t('annotate.shortcuts.pickerKeys')}</p>
      <p className="help__note">{t('annotate.shortcuts.wlWhileDrawing')}</p>
      <button
        type="button"
        className="button"
        data-testid="shortcuts-reset"
        onClick={() => {
          useShortcutsStore.getState().resetAll();
          setMessage(null);
        }}
      >
        {t('annotate.shortcuts.resetAll')}
      </button>
    </section>
  );
}
