/**
 * The small saved / saving / not saved mark in the viewer's toolbar. "Saved" means main answered:
 * the versions are committed to the catalog database.
 */
import { useTranslation } from 'react-i18next';
import { useAnnotationStore } from './useAnnotationStore.js';
import './save-indicator.css';

export function SaveIndicator() {
  const { t } = useTranslation();
  const save = useAnnotationStore((state) => state.save);
  const title =
    save.state === 'saved'
      ? t('annotationSave.savedTitle')
      : save.state === 'saving'
        ? t('annotationSave.savingTitle', { count: save.pending })
        : t('annotationSave.unsavedTitle', { count: save.pending, error: save.error ?? '' });
  return (
    <span
      className={`save-indicator save-indicator--${save.state}`}
      data-testid="annotation-save-state"
      data-state={save.state}
      data-pending={save.pending}
      title={title}
      role="status"
      aria-live="polite"
    >
      <span className="save-indicator__dot" aria-hidden="true" />
      {t(`annotationSave.${save.state}`)}
    </span>
  );
}
