/**
 * The password rule shown live under a new-password field (shared/audit.ts `passwordProblem`, the
 * same check main makes): what is still missing, or that the password meets the rule.
 */
import { useTranslation } from 'react-i18next';
import { passwordProblem } from '../../../shared/audit.js';

export function PasswordRule({ password, username, id }: { password: string; username: string; id: string }) {
  const { t } = useTranslation();
  if (!password) return <small id={id}>{t('account.passwordRule.too-short')}</small>;
  const problem = passwordProblem(password, username);
  return (
    <small
      id={id}
      className={problem ? 'password-rule password-rule--bad' : 'password-rule'}
      aria-live="polite"
    >
      {problem ? t(`account.passwordRule.${problem}`) : t('account.passwordRule.ok')}
    </small>
  );
}
