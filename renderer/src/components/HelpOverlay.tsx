/** The keyboard shortcuts, opened with `?` from anywhere. */
import { useTranslation } from 'react-i18next';
import { useUiStore } from '../stores/useUiStore.js';
import { Dialog } from './Dialog.js';
import { AnnotationShortcutsSection } from '../annotation/shortcutsEditor.js';
import { AiShortcutsSection } from '../ai/AiShortcutsSection.js';

type Section = 'general' | 'worklist' | 'viewer';
type KeyName =
  | 'help'
  | 'closeDialog'
  | 'search'
  | 'moveSelection'
  | 'open'
  | 'scroll'
  | 'page'
  | 'firstLast'
  | 'presets'
  | 'reset'
  | 'invert'
  | 'flip'
  | 'rotate'
  | 'cine'
  | 'deidPreview'
  | 'tagBrowser'
  | 'multiSelect'
  | 'selectAll'
  | 'studyMenu'
  | 'mpr'
  | 'back'
  | 'closePanel'
  | 'cancelDrawing'
  | 'locate'
  | 'dragSeries'
  | 'mouse';

const shortcuts: { section: Section; rows: { keys: string[]; action: KeyName }[] }[] = [
  {
    section: 'general',
    rows: [
      { keys: ['?'], action: 'help' },
      { keys: ['Esc'], action: 'closeDialog' },
    ],
  },
  {
    section: 'worklist',
    rows: [
      { keys: ['/'], action: 'search' },
      { keys: ['↑', '↓'], action: 'moveSelection' },
      { keys: ['Enter'], action: 'open' },
      { keys: ['Ctrl+click', 'Shift+click'], action: 'multiSelect' },
      { keys: ['Ctrl+A'], action: 'selectAll' },
      { keys: ['Shift+F10', '≣'], action: 'studyMenu' },
    ],
  },
  {
    section: 'viewer',
    rows: [
      { keys: ['↑', '↓'], action: 'scroll' },
      { keys: ['PgUp', 'PgDn'], action: 'page' },
      { keys: ['Home', 'End'], action: 'firstLast' },
      { keys: ['1', '2', '3', '4'], action: 'presets' },
      { keys: ['R'], action: 'reset' },
      { keys: ['I'], action: 'invert' },
      { keys: ['H', 'V'], action: 'flip' },
      { keys: ['[', ']'], action: 'rotate' },
      { keys: ['Space'], action: 'cine' },
      { keys: ['D'], action: 'deidPreview' },
      { keys: ['T'], action: 'tagBrowser' },
      { keys: ['M'], action: 'mpr' },
      { keys: ['Esc'], action: 'cancelDrawing' },
      { keys: ['Esc'], action: 'closePanel' },
      { keys: ['Backspace', 'Alt+←'], action: 'back' },
      { keys: ['Shift+click'], action: 'locate' },
      { keys: [], action: 'dragSeries' },
      { keys: [], action: 'mouse' },
    ],
  },
];

export function HelpOverlay() {
  const { t } = useTranslation();
  const close = useUiStore((state) => state.closeDialog);
  return (
    <Dialog
      title={t('help.title')}
      testId="help-overlay"
      onClose={close}
      wide
      footer={
        <button type="button" className="button" onClick={close}>
          {t('help.close')}
        </button>
      }
    >
      <div className="help__sections">
        {shortcuts.map(({ section, rows }) => (
          <section key={section} className="help__section">
            <h3>{t(`help.sections.${section}`)}</h3>
            <table className="help__table">
              <tbody>
                {rows.map(({ keys, action }) => (
                  <tr key={action}>
                    <td className="help__keys">
                      {(keys.length > 0 ? keys : [t('help.mouseKey')]).map((key) => (
                        <kbd key={key}>{key}</kbd>
                      ))}
                    </td>
                    <td>{t(`help.keys.${action}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
        <AnnotationShortcutsSection />
        <AiShortcutsSection />
      </div>
    </Dialog>
  );
}
