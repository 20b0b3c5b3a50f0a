import { useTranslation } from 'react-i18next';
import { useImportStore } from '../stores/useImportStore.js';
import { useUiStore } from '../stores/useUiStore.js';

export function ImportButton() {
  const { t } = useTranslation();
  const openDialog = useUiStore((state) => state.openDialog);
  const busy = useImportStore((state) => state.stage === 'preparing' || state.stage === 'running');
  return (
    <button
      type="button"
      className="button button--primary"
      data-testid="import-button"
      disabled={busy}
      onClick={() => openDialog('import')}
    >
      {t('import.button')}
    </button>
  );
}
