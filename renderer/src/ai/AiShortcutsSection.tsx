/** The AI review keys in the `?` sheet. */
import { useTranslation } from 'react-i18next';
import { AI_KEYS } from './keys.js';

export function AiShortcutsSection() {
  const { t } = useTranslation();
  const rows: Array<[string[], string]> = [
    [[AI_KEYS.accept], 'ai.keys.accept'],
    [[AI_KEYS.reject, '1–9'], 'ai.keys.reject'],
    [[AI_KEYS.edit], 'ai.keys.edit'],
    [[AI_KEYS.next], 'ai.keys.next'],
    [[AI_KEYS.previous], 'ai.keys.previous'],
  ];
  return (
    <section className="help__section" data-testid="help-ai-keys">
      <h3>{t('ai.keys.title')}</h3>
      <table className="help__table">
        <tbody>
          {rows.map(([keys, action]) => (
            <tr key={action}>
              <td className="help__keys">
                {keys.map((key) => (
                  <kbd key={key}>{key}</kbd>
                ))}
              </td>
              <td>{t(action)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
