/**
 * Settings → Label schema (docs/annotation.md "Label schema"): the schema in use — its name,
 * version and where it came from (built-in, a file, or the cloud project's manifest, which wins) —
 * with every label (colour, kind, tools, code, attributes and which are required) and the
 * classification questions; loading another from a path on this computer or a chosen file (read
 * by the page in the web host; by its path in the desktop app), and going back to the built-in
 * default. Main validates and refuses an invalid file with the field and the label named; the
 * schema is kept in the data folder, so it is the same after a restart.
 */
import { type ChangeEvent, type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Attribute, Label, Question, SchemaView } from '../../../../shared/annotation.js';
import { Dialog } from '../../components/Dialog.js';
import { useErrorMessage } from '../../components/useErrorMessage.js';
import { host } from '../../host/index.js';
import { localized } from '../tools/labels.js';
import { reloadSchema } from '../tools/storeLink.js';
import './schema.css';

export function LabelSchemaDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const [view, setView] = useState<SchemaView | null>(null);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    host.api.call('schema.get', {}).then(setView, (failure: unknown) => setError(failure));
    return host.api.on('schema.changed', setView);
  }, []);

  const run = async (work: () => Promise<SchemaView>, done: (view: SchemaView) => string) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const loaded = await work();
      setView(loaded);
      await reloadSchema();
      setMessage(done(loaded));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const loadedMessage = (loaded: SchemaView) =>
    t('labelSchema.loaded', { name: loaded.schema.name, version: loaded.schema.version });

  const loadPath = (event: FormEvent) => {
    event.preventDefault();
    const target = path.trim();
    if (!target) return;
    void run(() => host.api.call('schema.load', { path: target }), loadedMessage);
  };

  const loadFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    void run(async () => {
      // The desktop app knows the file's path (shown as its source); a browser page reads it.
      const [filePath] = host.kind === 'electron' ? await host.filesToPaths([file]) : [];
      if (filePath) return host.api.call('schema.load', { path: filePath });
      return host.api.call('schema.load', { json: await file.text(), name: file.name });
    }, loadedMessage);
  };

  const useDefault = () =>
    void run(
      () => host.api.call('schema.load', { useDefault: true }),
      () => t('labelSchema.defaultRestored'),
    );

  const manifest = view?.origin === 'manifest';

  return (
    <Dialog
      title={t('labelSchema.title')}
      testId="label-schema"
      onClose={onClose}
      wide
      footer={
        <button type="button" className="button" onClick={onClose} data-testid="label-schema-close">
          {t('labelSchema.close')}
        </button>
      }
    >
      <div className="label-schema">
        <p className="label-schema__notice">{t('labelSchema.researchOnly')}</p>
        {view ? <ActiveSchema view={view} /> : null}
        <section className="label-schema__load" aria-labelledby="label-schema-load">
          <h3 id="label-schema-load">{t('labelSchema.load')}</h3>
          {manifest ? (
            <p className="label-schema__manifest" data-testid="label-schema-manifest-wins">
              {t('labelSchema.manifestWins')}
            </p>
          ) : null}
          <form className="label-schema__path" onSubmit={loadPath}>
            <label>
              {t('labelSchema.pathLabel')}
              <input
                type="text"
                value={path}
                placeholder={t('labelSchema.pathPlaceholder')}
                data-testid="label-schema-path"
                disabled={busy || manifest}
                onChange={(event) => setPath(event.target.value)}
              />
            </label>
            <button
              type="submit"
              className="button button--primary"
              data-testid="label-schema-path-submit"
              disabled={busy || manifest || !path.trim()}
            >
              {t('labelSchema.loadPath')}
            </button>
          </form>
          <div className="label-schema__actions">
            <button
              type="button"
              className="button"
              data-testid="label-schema-choose"
              disabled={busy || manifest}
              onClick={() => fileInput.current?.click()}
            >
              {t('labelSchema.chooseFile')}
            </button>
            <input
              ref={fileInput}
              type="file"
              accept=".json,application/json"
              hidden
              data-testid="label-schema-file"
              onChange={loadFile}
            />
            <button
              type="button"
              className="button"
              data-testid="label-schema-default"
              disabled={busy || manifest || view?.origin === 'built-in'}
              onClick={useDefault}
            >
              {t('labelSchema.useDefault')}
            </button>
          </div>
          {message ? (
            <p className="label-schema__message" role="status" data-testid="label-schema-message">
              {message}
            </p>
          ) : null}
          {error ? (
            <p className="label-schema__error" role="alert" data-testid="label-schema-error">
              {errorMessage(error)}
            </p>
          ) : null}
          <p className="label-schema__hint">{t('labelSchema.formatHint')}</p>
          <p className="label-schema__hint">{t('labelSchema.keptLabels')}</p>
        </section>
      </div>
    </Dialog>
  );
}

function ActiveSchema({ view }: { view: SchemaView }) {
  const { t, i18n } = useTranslation();
  const { schema } = view;
  const source =
    view.origin === 'manifest'
      ? t('labelSchema.origin.manifest', {
          project: view.project
            ? `${view.project.name} (${view.project.id})`
            : (view.loadedFrom ?? '').replace(/^sync:/, ''),
        })
      : view.origin === 'file'
        ? view.loadedFrom
          ? t('labelSchema.origin.file', { from: view.loadedFrom })
          : t('labelSchema.origin.fileUnnamed')
        : t('labelSchema.origin.built-in');
  return (
    <section className="label-schema__active" data-testid="label-schema-active" data-origin={view.origin}>
      <h3>{t('labelSchema.inUse')}</h3>
      <dl className="label-schema__facts">
        <dt>{t('labelSchema.name')}</dt>
        <dd data-testid="label-schema-name">{schema.name}</dd>
        <dt>{t('labelSchema.version')}</dt>
        <dd data-testid="label-schema-version">{schema.version}</dd>
        <dt>{t('labelSchema.id')}</dt>
        <dd>{schema.id}</dd>
        <dt>{t('labelSchema.source')}</dt>
        <dd data-testid="label-schema-source">{source}</dd>
      </dl>
      <h4>{t('labelSchema.labels', { count: schema.labels.length })}</h4>
      <table className="label-schema__table" data-testid="label-schema-labels">
        <thead>
          <tr>
            <th>{t('labelSchema.column.label')}</th>
            <th>{t('labelSchema.column.kind')}</th>
            <th>{t('labelSchema.column.tools')}</th>
            <th>{t('labelSchema.column.code')}</th>
            <th>{t('labelSchema.column.attributes')}</th>
          </tr>
        </thead>
        <tbody>
          {schema.labels.map((label) => (
            <LabelRow key={label.id} label={label} language={i18n.language} />
          ))}
        </tbody>
      </table>
      <h4>{t('labelSchema.questions', { count: schema.questions.length })}</h4>
      {schema.questions.length === 0 ? (
        <p>{t('labelSchema.noQuestions')}</p>
      ) : (
        <table className="label-schema__table" data-testid="label-schema-questions">
          <thead>
            <tr>
              <th>{t('labelSchema.column.question')}</th>
              <th>{t('labelSchema.column.level')}</th>
              <th>{t('labelSchema.column.type')}</th>
              <th>{t('labelSchema.column.options')}</th>
            </tr>
          </thead>
          <tbody>
            {schema.questions.map((question) => (
              <QuestionRow key={question.id} question={question} language={i18n.language} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function LabelRow({ label, language }: { label: Label; language: string }) {
  const { t } = useTranslation();
  const code = label.finding
    ? `${label.finding.scheme} ${label.finding.value} “${label.finding.meaning}”`
    : t('labelSchema.none');
  return (
    <tr data-testid="label-schema-label" data-label={label.id} data-color={label.color.toLowerCase()}>
      <td>
        <span className="label-swatch" style={{ background: label.color }} aria-hidden="true" />
        <span className="label-schema__label-name">{localized(label.name, language)}</span>
        <code className="label-schema__id">{label.id}</code>
      </td>
      <td data-testid="label-schema-kind">{t(`labelSchema.kind.${label.kind}`)}</td>
      <td>{label.tools.length > 0 ? label.tools.join(', ') : t('labelSchema.anyTool')}</td>
      <td>{code}</td>
      <td>
        {label.attributes.length === 0 ? (
          t('labelSchema.none')
        ) : (
          <ul className="label-schema__attributes">
            {label.attributes.map((attribute) => (
              <AttributeItem key={attribute.id} attribute={attribute} language={language} />
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

function AttributeItem({ attribute, language }: { attribute: Attribute; language: string }) {
  const { t } = useTranslation();
  const range =
    attribute.min !== undefined || attribute.max !== undefined
      ? ` ${attribute.min ?? ''}–${attribute.max ?? ''}${attribute.unit ? ` ${attribute.unit}` : ''}`
      : attribute.unit
        ? ` ${attribute.unit}`
        : '';
  return (
    <li
      data-testid="label-schema-attribute"
      data-attribute={attribute.id}
      data-required={attribute.required}
      className={attribute.required ? 'label-schema__required' : undefined}
    >
      {localized(attribute.name, language)} ({t(`labelSchema.attributeType.${attribute.type}`)}
      {range}
      {attribute.options
        ? `: ${attribute.options.map((option) => localized(option.name, language)).join(' / ')}`
        : ''}
      ) — {attribute.required ? t('labelSchema.required') : t('labelSchema.optional')}
    </li>
  );
}

function QuestionRow({ question, language }: { question: Question; language: string }) {
  const { t } = useTranslation();
  return (
    <tr data-testid="label-schema-question" data-question={question.id} data-required={question.required}>
      <td className={question.required ? 'label-schema__required' : undefined}>
        {localized(question.name, language)}{' '}
        <span className="label-schema__id">
          ({question.required ? t('labelSchema.required') : t('labelSchema.optional')})
        </span>
      </td>
      <td>{t(`labelSchema.level.${question.level}`)}</td>
      <td>{t(`labelSchema.answers.${question.type}`)}</td>
      <td>{question.options.map((option) => localized(option.name, language)).join(' / ')}</td>
    </tr>
  );
}
