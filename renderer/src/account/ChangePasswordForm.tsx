/**
 * A reader changes their own password (`account.changePassword`, docs/accounts.md): the current
 * one, the new one twice, the password rule live. Used by the sign-in gate when an administrator
 * reset the password (nothing else works until it is changed) and from the account bar.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AccountState, passwordProblem } from '../../../shared/audit.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { NewPasswordField } from './PasswordRule.js';

export function ChangePasswordForm({
  username,
  onChanged,
  onCancel,
}: {
  username: string;
  onChanged(state: AccountState): void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = repeat.length > 0 && next !== repeat;
  const valid = current.length > 0 && passwordProblem(next, username) === null && next === repeat;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    setBusy(true);
    setError(null);
    host.api
      .call('account.changePassword', { currentPassword: current, newPassword: next })
      .then(onChanged, (failure: unknown) => setError(failure))
      .finally(() => setBusy(false));
  };

  return (
    <form className="account-form" data-testid="change-password-form" onSubmit={submit}>
      <label>
        {t('account.changePassword.current')}
        <input
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
          autoFocus
        />
      </label>
      <NewPasswordField
        label={t('account.changePassword.next')}
        id="change-password-rule"
        password={next}
        username={username}
        onChange={setNext}
      />
      <label>
        {t('account.changePassword.repeat')}
        <input
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(event) => setRepeat(event.target.value)}
        />
      </label>
      {mismatch ? <small className="password-rule--bad">{t('account.changePassword.mismatch')}</small> : null}
      {error ? (
        <p className="account-gate-error" role="alert">
          {errorMessage(error)}
        </p>
      ) : null}
      <div className="account-gate-actions">
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            {t('account.changePassword.cancel')}
          </button>
        ) : null}
        <button type="submit" className="button button--primary" disabled={busy || !valid}>
          {t('account.changePassword.save')}
        </button>
      </div>
    </form>
  );
}
