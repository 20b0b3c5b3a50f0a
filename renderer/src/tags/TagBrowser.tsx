/** The tag browser where the viewer places it, and its toolbar button; Esc closes it (panels.ts). */
import { useTranslation } from 'react-i18next';
import { useEscapeCloses } from '../viewer/panels.js';
import { TagBrowserPanel } from './TagBrowserPanel.js';
import { useTagBrowserStore } from './useTagBrowserStore.js';

export function TagBrowser() {
  const open = useTagBrowserStore((state) => state.open);
  const close = useTagBrowserStore((state) => state.close);
  useEscapeCloses(open, close);
  return open ? <TagBrowserPanel /> : null;
}

export function TagBrowserToggle() {
  const { t } = useTranslation();
  const open = useTagBrowserStore((state) => state.open);
  const toggle = useTagBrowserStore((state) => state.toggle);
  return (
    <button
      type="button"
      className={open ? 'tool-button tool-button--active' : 'tool-button'}
      data-testid="tag-browser-toggle"
      aria-pressed={open}
      title="T"
      onClick={toggle}
    >
      {t('tags.toggle')}
    </button>
  );
}
