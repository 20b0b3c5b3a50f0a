/**
 * Turns any caught value into a sentence for the user. AppErrors from main already carry a message
 * written for a radiologist; anything else is a bug and is shown as the generic internal error.
 */
import { useTranslation } from 'react-i18next';
import { isAppError } from '../../../shared/errors.js';

export function useErrorMessage(): (error: unknown) => string {
  const { t } = useTranslation();
  return (error) => {
    if (isAppError(error)) return error.message || t(`errors.${error.code}`);
    return t('errors.internal');
  };
}
