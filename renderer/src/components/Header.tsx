import { useTranslation } from 'react-i18next';
import { useUiStore } from '../stores/useUiStore.js';
import { useViewerStore } from '../stores/useViewerStore.js';
import { LanguageSwitch } from './LanguageSwitch.js';
import { SyncIndicator } from '../sync/SyncIndicator.js';

export function Header() {
  const { t } = useTranslation();
  const screen = useUiStore((state) => state.screen);
  const showScreen = useUiStore((state) => state.showScreen);
  const openDialog = useUiStore((state) => state.openDialog);
  const studyOpen = useViewerStore((state) => state.detail !== null);

  return (
    <header className="app-header">
      <div className="app-header__brand">
        <span className="app-header__logo" aria-hidden="true" />
        <span className="app-header__name">{t('app.productName')}</span>
      </div>
      <nav className="app-header__nav">
        <button
          type="button"
          className={screen === 'worklist' ? 'tab tab--active' : 'tab'}
          data-testid="nav-worklist"
          onClick={() => showScreen('worklist')}
        >
          {t('header.worklist')}
        </button>
        <button
          type="button"
          className={screen === 'viewer' ? 'tab tab--active' : 'tab'}
          data-testid="nav-viewer"
          disabled={!studyOpen}
          onClick={() => showScreen('viewer')}
        >
          {t('header.viewer')}
        </button>
        <button
          type="button"
          className={screen === 'stats' ? 'tab tab--active' : 'tab'}
          data-testid="nav-stats"
          onClick={() => showScreen('stats')}
        >
          {t('stats.nav')}
        </button>
      </nav>
      <div className="app-header__actions">
        <SyncIndicator />
        <LanguageSwitch />
        <button
          type="button"
          className="button button--ghost"
          data-testid="open-deid-settings"
          onClick={() => openDialog('deidSettings')}
        >
          {t('deid.settingsButton')}
        </button>
        <button
          type="button"
          className="button button--ghost"
          data-testid="open-cache-settings"
          onClick={() => openDialog('cacheSettings')}
        >
          {t('cache.settingsButton')}
        </button>
        <button
          type="button"
          className="button button--ghost"
          data-testid="open-label-schema"
          onClick={() => openDialog('labelSchema')}
        >
          {t('labelSchema.settingsButton')}
        </button>
        <button
          type="button"
          className="icon-button"
          data-testid="open-help"
          title={t('header.help')}
          onClick={() => openDialog('help')}
        >
          ?
        </button>
        <button
          type="button"
          className="button button--ghost"
          data-testid="open-about"
          onClick={() => openDialog('about')}
        >
          {t('header.about')}
        </button>
      </div>
    </header>
  );
}
