/** The PACS settings: the local AE (receiving SCP) and the remote nodes, each with a C-ECHO test. */
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PacsEchoResult, PacsNode, PacsSettingsView } from '../../../shared/pacs.js';
import { Dialog } from '../components/Dialog.js';
import { useErrorMessage } from '../components/useErrorMessage.js';
import { host } from '../host/index.js';
import { ReceivedProblemsSection } from './ReceivedProblems.js';
import './pacs.css';

interface NodeDraft {
  id?: number;
  name: string;
  aeTitle: string;
  host: string;
  port: string;
}

const EMPTY_NODE: NodeDraft = { name: '', aeTitle: '', host: '', port: '104' };

export function PacsSettingsDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [view, setView] = useState<PacsSettingsView | null>(null);
  const [callers, setCallers] = useState('');
  const [nodes, setNodes] = useState<PacsNode[]>([]);
  const [draft, setDraft] = useState<NodeDraft>(EMPTY_NODE);
  const [echo, setEcho] = useState<Record<number, PacsEchoResult | 'testing'>>({});
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    void (async () => {
      try {
        const settings = await host.api.call('pacs.getSettings', {});
        setView(settings);
        setCallers(
          settings.local.allowedCallers
            .map((c) => (c.host ? `${c.aeTitle}@${c.host}` : c.aeTitle))
            .join('\n'),
        );
        setNodes(await host.api.call('pacs.listNodes', {}));
      } catch (error) {
        setMessage(errorMessage(error));
      }
    })();
    // errorMessage is stable enough for a one-time load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (!view) return null;
  const local = view.local;
  const setLocal = (patch: Partial<PacsSettingsView['local']>) =>
    setView({ ...view, local: { ...local, ...patch } });

  const saveLocal = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const allowedCallers = callers
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => {
          const [aeTitle = '', callerHost = ''] = line.split('@');
          return { aeTitle: aeTitle.trim(), host: callerHost.trim() };
        });
      const saved = await host.api.call('pacs.saveSettings', { ...local, allowedCallers });
      setView(saved);
      setMessage(saved.status.error ?? t('pacs.saved'));
    } catch (error) {
      setMessage(errorMessage(error));
    }
  };

  const saveNode = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await host.api.call('pacs.saveNode', {
        ...(draft.id !== undefined ? { id: draft.id } : {}),
        name: draft.name,
        aeTitle: draft.aeTitle,
        host: draft.host,
        port: Number(draft.port),
      });
      setNodes(await host.api.call('pacs.listNodes', {}));
      setDraft(EMPTY_NODE);
      setMessage(null);
    } catch (error) {
      setMessage(errorMessage(error));
    }
  };

  const test = async (node: PacsNode) => {
    setEcho((current) => ({ ...current, [node.id]: 'testing' }));
    const result = await host.api.call('pacs.echo', { nodeId: node.id });
    setEcho((current) => ({ ...current, [node.id]: result }));
  };

  const remove = async (node: PacsNode) => {
    await host.api.call('pacs.deleteNode', { id: node.id });
    setNodes(await host.api.call('pacs.listNodes', {}));
  };

  return (
    <Dialog
      title={t('pacs.settingsTitle')}
      testId="pacs-settings"
      onClose={onClose}
      wide
      footer={
        <button type="button" className="button" onClick={onClose} data-testid="pacs-settings-close">
          {t('pacs.close')}
        </button>
      }
    >
      {view.mayChange ? null : (
        <p className="pacs-read-only" role="note" data-testid="pacs-read-only">
          {t('pacs.readOnly')}
        </p>
      )}
      <form className="pacs-form" onSubmit={(event) => void saveLocal(event)}>
        <h3>{t('pacs.localTitle')}</h3>
        {/* A reader sees the settings as they are; main refuses a change from anyone but an administrator. */}
        <fieldset className="pacs-fieldset" disabled={!view.mayChange} data-testid="pacs-local-fields">
          <label className="pacs-check">
            <input
              type="checkbox"
              data-testid="pacs-enabled"
              checked={local.enabled}
              onChange={(event) => setLocal({ enabled: event.target.checked })}
            />
            {t('pacs.enabled')}
          </label>
          <div className="pacs-row">
            <label>
              {t('pacs.aeTitle')}
              <input
                data-testid="pacs-ae-title"
                value={local.aeTitle}
                maxLength={16}
                onChange={(event) => setLocal({ aeTitle: event.target.value })}
              />
            </label>
            <label>
              {t('pacs.port')}
              <input
                data-testid="pacs-port"
                type="number"
                min={1}
                max={65535}
                value={local.port}
                onChange={(event) => setLocal({ port: Number(event.target.value) })}
              />
            </label>
            <label title={t('pacs.bindHint')}>
              {t('pacs.bindAddress')}
              <input
                data-testid="pacs-bind"
                value={local.bindAddress}
                onChange={(event) => setLocal({ bindAddress: event.target.value })}
              />
            </label>
          </div>
          <label>
            {t('pacs.allowedCallers')}
            <textarea
              data-testid="pacs-callers"
              rows={3}
              value={callers}
              onChange={(event) => setCallers(event.target.value)}
            />
          </label>
          <p className="hint">{t('pacs.allowedHint')}</p>
          <label className="pacs-check">
            <input
              type="checkbox"
              checked={local.acceptAnyCaller}
              onChange={(event) => setLocal({ acceptAnyCaller: event.target.checked })}
            />
            {t('pacs.acceptAny')}
          </label>
        </fieldset>
        <div className="pacs-row">
          {view.mayChange ? (
            <button type="submit" className="button button--primary" data-testid="pacs-save">
              {t('pacs.save')}
            </button>
          ) : null}
          <span data-testid="pacs-status" className="hint">
            {view.status.running
              ? t('pacs.running', { port: view.status.port })
              : (view.status.error ?? t('pacs.stopped'))}
          </span>
        </div>
      </form>
      {message ? (
        <p className="pacs-message" role="status" data-testid="pacs-message">
          {message}
        </p>
      ) : null}
      <ReceivedProblemsSection mayClear={view.mayChange} />
      <h3>{t('pacs.nodesTitle')}</h3>
      {nodes.length === 0 ? <p className="hint">{t('pacs.noNodes')}</p> : null}
      <table className="pacs-table" data-testid="pacs-nodes">
        <tbody>
          {nodes.map((node) => {
            const result = echo[node.id];
            return (
              <tr key={node.id} data-testid="pacs-node">
                <td>{node.name}</td>
                <td>{node.aeTitle}</td>
                <td>
                  {node.host}:{node.port}
                </td>
                <td>
                  <button
                    type="button"
                    className="button"
                    data-testid="pacs-test"
                    onClick={() => void test(node)}
                  >
                    {t('pacs.testConnection')}
                  </button>{' '}
                  {view.mayChange ? (
                    <>
                      <button
                        type="button"
                        className="button button--ghost"
                        onClick={() =>
                          setDraft({
                            id: node.id,
                            name: node.name,
                            aeTitle: node.aeTitle,
                            host: node.host,
                            port: String(node.port),
                          })
                        }
                      >
                        ✎
                      </button>{' '}
                      <button
                        type="button"
                        className="button button--ghost"
                        onClick={() => void remove(node)}
                      >
                        {t('pacs.deleteNode')}
                      </button>
                    </>
                  ) : null}
                </td>
                <td data-testid="pacs-echo-result">
                  {result === 'testing'
                    ? t('pacs.testing')
                    : result
                      ? result.ok
                        ? t('pacs.echoOk', { ms: result.ms })
                        : t('pacs.echoFailed', { message: result.message ?? '' })
                      : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {view.mayChange ? (
        <form className="pacs-row" onSubmit={(event) => void saveNode(event)}>
          <label>
            {t('pacs.name')}
            <input
              data-testid="pacs-node-name"
              value={draft.name}
              onChange={(event) => setDraft({ ...draft, name: event.target.value })}
            />
          </label>
          <label>
            {t('pacs.aeTitle')}
            <input
              data-testid="pacs-node-ae"
              value={draft.aeTitle}
              maxLength={16}
              onChange={(event) => setDraft({ ...draft, aeTitle: event.target.value })}
            />
          </label>
          <label>
            {t('pacs.host')}
            <input
              data-testid="pacs-node-host"
              value={draft.host}
              onChange={(event) => setDraft({ ...draft, host: event.target.value })}
            />
          </label>
          <label>
            {t('pacs.port')}
            <input
              data-testid="pacs-node-port"
              type="number"
              min={1}
              max={65535}
              value={draft.port}
              onChange={(event) => setDraft({ ...draft, port: event.target.value })}
            />
          </label>
          <button type="submit" className="button" data-testid="pacs-node-save">
            {draft.id !== undefined ? t('pacs.saveNode') : t('pacs.addNode')}
          </button>
        </form>
      ) : null}
    </Dialog>
  );
}
