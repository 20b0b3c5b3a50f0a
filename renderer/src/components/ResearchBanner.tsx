/** Always on screen, in the chosen language: the product must never be mistaken for a diagnostic device. */
import { useTranslation } from 'react-i18next';

export function ResearchBanner() {
  const { t } = useTranslation();
  return (
    <div className="research-banner" role="note" data-testid="research-banner">
      {t('app.researchUseOnly')}
    </div>
  );
}
