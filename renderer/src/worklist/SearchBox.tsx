/** Search field; the query goes to main 250 ms after the last keystroke (server-side search). */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useWorklistStore } from '../stores/useWorklistStore.js';

const DEBOUNCE_MS = 250;

export function SearchBox() {
  const { t } = useTranslation();
  const search = useWorklistStore((state) => state.search);
  const setSearch = useWorklistStore((state) => state.setSearch);
  const refresh = useWorklistStore((state) => state.refresh);
  const [text, setText] = useState(search);

  useEffect(() => {
    if (text === search) return;
    const timer = window.setTimeout(() => {
      setSearch(text);
      void refresh();
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [text, search, setSearch, refresh]);

  return (
    <input
      id="worklist-search"
      className="search-box"
      type="search"
      value={text}
      placeholder={t('worklist.searchPlaceholder')}
      aria-label={t('worklist.searchLabel')}
      data-testid="worklist-search"
      autoComplete="off"
      spellCheck={false}
      onChange={(event) => setText(event.target.value)}
    />
  );
}
