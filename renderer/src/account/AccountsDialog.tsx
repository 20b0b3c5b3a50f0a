/**
 * The Accounts screen for an administrator (docs/accounts.md): every reader with role, created,
 * last sign-in and status (active, disabled, locked out until, must change the password); create a
 * reader (the password rule shown live), reset a password (the reader must change it at the next
 * sign-in), disable / enable, make administrator / reader, and the sign-in policy (idle lock,
 * lockout, blinded reading). Main checks the role and keeps the last administrator; the buttons
 * here only mirror that. All controls are native buttons, inputs and selects: Tab reaches each.
 */
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type AccountSettingsView,
  type ReaderAccountView,
  type ReaderRole,
  passwordProblem,
} from '../../../shared/audit.js';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { NewPasswordField } from './PasswordRule.js';

export function AccountsDialog({ selfId, onClose }: { selfId: string; onClose(): void }) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [accounts, setAccounts] = useState<ReaderAccountView[]>([]);
  /** When the list was read: a lockout that ended before then is not shown. */
  const [listedAt, setListedAt] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resetting, setResetting] = useState<ReaderAccountView | null>(null);

  const reload = useCallback(() => {
    host.api.call('account.list', {}).then(
      (list) => {
        setAccounts(list);
        setListedAt(Date.now());
      },
      (failure: unknown) => setError(failure),
    );
  }, []);
  useEffect(reload, [reload]);

  /** Runs an administrator action, then shows the list as main has it now. */
  const act = (action: () => Promise<unknown>, done?: string) => {
    setError(null);
    setNotice(null);
    action().then(
      () => {
        if (done) setNotice(done);
        reload();
      },
      (failure: unknown) => setError(failure),
    );
  };

  const status = (account: ReaderAccountView): string => {
    if (account.disabled) return t('account.accounts.disabled');
    if (account.lockedUntil > listedAt)
      return t('account.accounts.lockedUntil', { time: new Date(account.lockedUntil).toLocaleString() });
    if (account.mustChangePassword) return t('account.accounts.mustChange');
    return t('account.accounts.active');
  };

  return (
    <Dialog
      title={t('account.accounts.title')}
      testId="accounts-dialog"
      onClose={onClose}
      wide
      footer={
        <button type="button" className="button" onClick={onClose}>
          {t('account.accounts.close')}
        </button>
      }
    >
      {error ? (
        <p className="account-gate-error" role="alert">
          {errorMessage(error)}
        </p>
      ) : null}
      {notice ? (
        <p role="status" data-testid="accounts-notice">
          {notice}
        </p>
      ) : null}
      <h3>{t('account.accounts.readers')}</h3>
      <div className="audit-table-wrap">
        <table className="audit-table accounts-table">
          <thead>
            <tr>
              <th>{t('account.accounts.name')}</th>
              <th>{t('account.accounts.username')}</th>
              <th>{t('account.accounts.role')}</th>
              <th>{t('account.accounts.created')}</th>
              <th>{t('account.accounts.lastSignIn')}</th>
              <th>{t('account.accounts.status')}</th>
              <th>{t('account.accounts.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((account) => {
              const name = account.displayName;
              const self = account.readerId === selfId;
              return (
                <tr key={account.readerId} data-testid="account-row" data-username={account.username}>
                  <td>
                    {name} {self ? t('account.accounts.you') : null}
                  </td>
                  <td>{account.username}</td>
                  <td>{t(`account.accounts.roles.${account.role}`)}</td>
                  <td>{new Date(account.createdAt).toLocaleString()}</td>
                  <td>
                    {account.lastSignInAt === null
                      ? t('account.accounts.never')
                      : new Date(account.lastSignInAt).toLocaleString()}
                  </td>
                  <td data-testid="account-status">{status(account)}</td>
                  <td className="accounts-actions">
                    <button type="button" className="button" onClick={() => setResetting(account)}>
                      {t('account.accounts.resetPassword')}
                    </button>
                    {self ? null : (
                      <button
                        type="button"
                        className="button"
                        onClick={() =>
                          act(() =>
                            host.api.call('account.setDisabled', {
                              readerId: account.readerId,
                              disabled: !account.disabled,
                            }),
                          )
                        }
                      >
                        {account.disabled ? t('account.accounts.enable') : t('account.accounts.disable')}
                      </button>
                    )}
                    <button
                      type="button"
                      className="button"
                      onClick={() =>
                        act(() =>
                          host.api.call('account.update', {
                            readerId: account.readerId,
                            role: account.role === 'admin' ? 'reader' : 'admin',
                          }),
                        )
                      }
                    >
                      {account.role === 'admin'
                        ? t('account.accounts.makeReader')
                        : t('account.accounts.makeAdmin')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {resetting ? (
        <ResetPasswordForm
          account={resetting}
          onCancel={() => setResetting(null)}
          onReset={(password) => {
            const name = resetting.displayName;
            setResetting(null);
            act(
              () => host.api.call('account.resetPassword', { readerId: resetting.readerId, password }),
              t('account.accounts.reset_ok', { name }),
            );
          }}
        />
      ) : null}
      <CreateReaderForm
        onCreate={(request) =>
          act(
            () => host.api.call('account.create', request),
            t('account.accounts.created_ok', { name: request.displayName || request.username }),
          )
        }
      />
      <PolicyForm onError={setError} onSaved={() => setNotice(t('account.accounts.saved'))} />
    </Dialog>
  );
}

function CreateReaderForm({
  onCreate,
}: {
  onCreate(request: {
    username: string;
    displayName: string;
    password: string;
    role: ReaderRole;
    mustChangePassword: boolean;
  }): void;
}) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<ReaderRole>('reader');
  const [mustChange, setMustChange] = useState(true);
  const valid = username.trim().length > 0 && passwordProblem(password, username) === null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    onCreate({
      username: username.trim(),
      displayName: displayName.trim(),
      password,
      role,
      mustChangePassword: mustChange,
    });
    setUsername('');
    setDisplayName('');
    setPassword('');
  };

  return (
    <form className="account-form accounts-section" data-testid="account-create" onSubmit={submit}>
      <h3>{t('account.accounts.create')}</h3>
      <div className="accounts-fields">
        <label>
          {t('account.accounts.username')}
          <input value={username} autoComplete="off" onChange={(event) => setUsername(event.target.value)} />
        </label>
        <label>
          {t('account.accounts.displayName')}
          <input
            value={displayName}
            autoComplete="off"
            onChange={(event) => setDisplayName(event.target.value)}
          />
        </label>
        <label>
          {t('account.accounts.role')}
          <select value={role} onChange={(event) => setRole(event.target.value as ReaderRole)}>
            <option value="reader">{t('account.accounts.roles.reader')}</option>
            <option value="admin">{t('account.accounts.roles.admin')}</option>
          </select>
        </label>
      </div>
      <NewPasswordField
        label={t('account.accounts.initialPassword')}
        id="account-create-rule"
        password={password}
        username={username}
        onChange={setPassword}
      />
      <label className="accounts-check">
        <input
          type="checkbox"
          checked={mustChange}
          onChange={(event) => setMustChange(event.target.checked)}
        />
        {t('account.accounts.mustChangeAtFirst')}
      </label>
      <div>
        <button type="submit" className="button button--primary" disabled={!valid}>
          {t('account.accounts.createButton')}
        </button>
      </div>
    </form>
  );
}

function ResetPasswordForm({
  account,
  onReset,
  onCancel,
}: {
  account: ReaderAccountView;
  onReset(password: string): void;
  onCancel(): void;
}) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const valid = passwordProblem(password, account.username) === null;
  return (
    <form
      className="account-form accounts-section"
      data-testid="account-reset"
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) onReset(password);
      }}
    >
      <h3>{t('account.accounts.resetFor', { name: account.displayName })}</h3>
      <p>{t('account.accounts.resetHint')}</p>
      <NewPasswordField
        label={t('account.accounts.initialPassword')}
        id="account-reset-rule"
        password={password}
        username={account.username}
        onChange={setPassword}
        autoFocus
      />
      <div className="account-gate-actions">
        <button type="button" className="button" onClick={onCancel}>
          {t('account.changePassword.cancel')}
        </button>
        <button type="submit" className="button button--primary" disabled={!valid}>
          {t('account.accounts.resetButton')}
        </button>
      </div>
    </form>
  );
}

type PolicyField = 'idleLockSeconds' | 'lockoutAfter' | 'lockoutSeconds' | 'lockoutMaxSeconds';
const POLICY_FIELDS: readonly [PolicyField, string][] = [
  ['idleLockSeconds', 'idleLock'],
  ['lockoutAfter', 'lockoutAfter'],
  ['lockoutSeconds', 'lockoutSeconds'],
  ['lockoutMaxSeconds', 'lockoutMaxSeconds'],
];

function PolicyForm({ onSaved, onError }: { onSaved(): void; onError(error: unknown): void }) {
  const { t } = useTranslation();
  const [settings, setSettings] = useState<AccountSettingsView | null>(null);
  useEffect(() => {
    host.api.call('account.state', {}).then((state) => setSettings(state.settings), onError);
  }, [onError]);
  if (!settings) return null;
  const set = (field: PolicyField, value: string) =>
    setSettings({ ...settings, [field]: Math.max(0, Math.floor(Number(value) || 0)) });
  return (
    <form
      className="account-form accounts-section"
      data-testid="account-policy"
      onSubmit={(event) => {
        event.preventDefault();
        host.api.call('account.saveSettings', settings).then((saved) => {
          setSettings(saved);
          onSaved();
        }, onError);
      }}
    >
      <h3>{t('account.accounts.policy')}</h3>
      <div className="accounts-fields">
        {POLICY_FIELDS.map(([field, label]) => (
          <label key={field}>
            {t(`account.accounts.${label}`)}
            <input
              type="number"
              min={field === 'idleLockSeconds' ? 0 : 1}
              value={settings[field]}
              onChange={(event) => set(field, event.target.value)}
            />
          </label>
        ))}
      </div>
      <label className="accounts-check">
        <input
          type="checkbox"
          checked={settings.blinded}
          onChange={(event) => setSettings({ ...settings, blinded: event.target.checked })}
        />
        {t('account.accounts.blinded')}
      </label>
      <div>
        <button type="submit" className="button button--primary">
          {t('account.accounts.savePolicy')}
        </button>
      </div>
    </form>
  );
}
