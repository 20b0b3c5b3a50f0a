/**
 * A new-password field with the password rule shown live under it (shared/audit.ts
 * `passwordProblem`, the same check main makes): what is still missing, or that it meets the rule.
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

/** A labelled new-password input followed by the live rule. */
export function NewPasswordField({
  label,
  id,
  password,
  username,
  onChange,
  autoFocus,
}: {
  label: string;
  id: string;
  password: string;
  username: string;
  onChange(password: string): void;
  autoFocus?: boolean;
}) {
  return (
    <>
      <label>
        {label}
        <input
          type="password"
          autoComplete="new-password"
          aria-describedby={id}
          value={password}
          onChange={(event) => onChange(event.target.value)}
          autoFocus={autoFocus}
        />
      </label>
      <PasswordRule id={id} password={password} username={username} />
    </>
  );
}
