/**
 * Sign-in on a shared workstation (docs/accounts.md): once an account exists, a full-window
 * sign-in form until the reader signs in, and a lock screen after the configured idle time
 * without input (or when main says the session is locked). The app stays mounted underneath:
 * locking hides the work, it does not close it. After an administrator's password reset the
 * reader must choose a new password before anything else. A small bar shows who is signed in,
 * with Change password, Lock and Sign out (administrators: Accounts and Audit log).
 */
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountState } from '../../../shared/audit.js';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';
import { AccountsDialog } from './AccountsDialog.js';
import { AuditDialog } from './AuditDialog.js';
import { ChangePasswordForm } from './ChangePasswordForm.js';
import './account.css';

const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

export function AccountGate() {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [state, setState] = useState<AccountState | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [auditOpen, setAuditOpen] = useState(false);
  const [accountsOpen, setAccountsOpen] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);
  const lastInput = useRef(0);

  const refresh = useCallback(() => {
    host.api.call('account.state', {}).then(setState, () => undefined);
  }, []);

  useEffect(() => {
    refresh();
    const onFocus = () => refresh();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [refresh]);

  // The idle timer: input anywhere resets it; past the configured time the session locks.
  useEffect(() => {
    const onInput = () => {
      lastInput.current = Date.now();
    };
    if (lastInput.current === 0) onInput();
    for (const name of INPUT_EVENTS) window.addEventListener(name, onInput, { passive: true, capture: true });
    const timer = window.setInterval(() => {
      if (!state?.signedIn || state.locked) return;
      const idle = state.settings.idleLockSeconds;
      if (idle > 0 && Date.now() - lastInput.current > idle * 1000)
        host.api.call('account.lock', {}).then(setState, () => undefined);
    }, 500);
    return () => {
      for (const name of INPUT_EVENTS) window.removeEventListener(name, onInput, { capture: true });
      window.clearInterval(timer);
    };
  }, [state]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const wasSignedIn = state?.signedIn ?? false;
    const request = state?.locked
      ? host.api.call('account.unlock', { password })
      : host.api.call('account.signIn', { username, password });
    request
      .then(
        (next) => {
          setState(next);
          setPassword('');
          lastInput.current = Date.now();
          if (!wasSignedIn) void useWorklistStore.getState().refresh();
        },
        (failure: unknown) => setError(failure),
      )
      .finally(() => setBusy(false));
  };

  if (!state?.required) return null;
  const name = state.reader?.displayName ?? '';
  const signOut = () => void host.api.call('account.signOut', {}).then(setState, () => undefined);

  // An administrator reset the password: nothing else works until the reader chooses their own.
  if (state.signedIn && !state.locked && state.reader?.mustChangePassword)
    return (
      <div className="account-gate" role="dialog" aria-modal="true" aria-labelledby="account-gate-title">
        <div className="account-gate-form">
          <h2 id="account-gate-title">{t('account.changePassword.title')}</h2>
          <p>{t('account.changePassword.requiredHint')}</p>
          <ChangePasswordForm
            username={state.reader.username}
            onChanged={(next) => {
              setState(next);
              void useWorklistStore.getState().refresh();
            }}
            onCancel={signOut}
          />
        </div>
      </div>
    );

  if (state.signedIn && !state.locked)
    return (
      <div className="account-bar" data-testid="account-bar">
        <span>{t('account.signedInAs', { name })}</span>
        {state.reader?.role === 'admin' ? (
          <>
            <button type="button" data-testid="accounts-open" onClick={() => setAccountsOpen(true)}>
              {t('account.accountsButton')}
            </button>
            <button type="button" data-testid="audit-open" onClick={() => setAuditOpen(true)}>
              {t('account.auditButton')}
            </button>
          </>
        ) : null}
        <button type="button" data-testid="change-password-open" onClick={() => setChangingPassword(true)}>
          {t('account.changePasswordButton')}
        </button>
        {auditOpen ? <AuditDialog onClose={() => setAuditOpen(false)} /> : null}
        {accountsOpen && state.reader ? (
          <AccountsDialog
            selfId={state.reader.readerId}
            onClose={() => {
              setAccountsOpen(false);
              refresh();
            }}
          />
        ) : null}
        {changingPassword && state.reader ? (
          <Dialog
            title={t('account.changePassword.title')}
            testId="change-password-dialog"
            onClose={() => setChangingPassword(false)}
          >
            <ChangePasswordForm
              username={state.reader.username}
              onChanged={(next) => {
                setState(next);
                setChangingPassword(false);
              }}
              onCancel={() => setChangingPassword(false)}
            />
          </Dialog>
        ) : null}
        <button
          type="button"
          onClick={() => void host.api.call('account.lock', {}).then(setState, () => undefined)}
        >
          {t('account.lockNow')}
        </button>
        <button
          type="button"
          onClick={() => void host.api.call('account.signOut', {}).then(setState, () => undefined)}
        >
          {t('account.signOut')}
        </button>
      </div>
    );

  const locked = state.signedIn && state.locked;
  return (
    <div className="account-gate" role="dialog" aria-modal="true" aria-labelledby="account-gate-title">
      <form className="account-gate-form" onSubmit={submit}>
        <h2 id="account-gate-title">{locked ? t('account.lockedTitle') : t('account.signInTitle')}</h2>
        <p>{locked ? t('account.lockedHint', { name }) : t('account.signInHint')}</p>
        {locked ? null : (
          <label>
            {t('account.username')}
            <input
              name="username"
              autoComplete="username"
              value={username}
              onChange={(event) => setUsername(event.target.value)}
              autoFocus
            />
          </label>
        )}
        <label>
          {t('account.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            autoFocus={locked}
          />
        </label>
        {error ? (
          <p className="account-gate-error" role="alert">
            {errorMessage(error)}
          </p>
        ) : null}
        <div className="account-gate-actions">
          {locked ? (
            <button
              type="button"
              onClick={() => void host.api.call('account.signOut', {}).then(setState, () => undefined)}
            >
              {t('account.signOut')}
            </button>
          ) : null}
          <button type="submit" disabled={busy || !password || (!locked && !username)}>
            {locked ? t('account.unlock') : t('account.signIn')}
          </button>
        </div>
      </form>
    </div>
  );
}
