/**
 * The label picker, opened next to a measurement the moment it is drawn.
 *
 * - The label picked last with this tool is preselected (else the first allowed one), so the
 *   common case — the same finding again — is one key: Enter.
 * - Typing filters the labels (English or Chinese name, or id); ↑/↓ move; 1–9 pick the first
 *   nine shown; a label's own shortcut (help sheet) picks it too.
 * - Esc keeps the measurement with the preselected label: a measurement is never lost and never
 *   left without a label. Delete throws the new measurement away.
 * - Then, if the label has attributes, their form (Esc: fill them later, from the panel).
 *
 * Also here: the arrow's text prompt (Cornerstone asks for it before the arrow is complete).
 */
import { type KeyboardEvent as ReactKeyboardEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Label } from '../../../shared/annotation.js';
import { AttributeForm } from './LabelPickerAttributes.js';
import { actionFor, comboOf } from './shortcuts.js';
import { deleteAnnotation, setAttributes, setLabel } from './tools/labeling.js';
import { filterLabels, labelsForTool, localized } from './tools/labels.js';
import { recordOf, useSchema } from './tools/storeLink.js';
import {
  type ArrowPrompt,
  type PickerRequest,
  type ScreenPoint,
  useToolStore,
} from './tools/useToolStore.js';

const PICKER_WIDTH = 260;
const PICKER_HEIGHT = 320;

/** A popover's place: right of and below the point, kept inside the window. */
function placeAt(at: ScreenPoint): { left: number; top: number } {
  const left = Math.max(8, Math.min(at.x + 16, window.innerWidth - PICKER_WIDTH - 8));
  const top = Math.max(8, Math.min(at.y + 16, window.innerHeight - PICKER_HEIGHT - 8));
  return { left, top };
}

function LabelStep({ request }: { request: PickerRequest }) {
  const schema = useSchema();
  const lastLabel = useToolStore((state) => state.lastLabelByTool[request.toolName]);
  const allowed = useMemo(() => labelsForTool(schema, request.toolName), [schema, request.toolName]);
  const preselected = allowed.find((label) => label.id === lastLabel) ?? allowed[0];

  const pick = (label: Label | undefined) => {
    if (!label) return;
    const store = useToolStore.getState();
    store.rememberLabel(request.toolName, label.id);
    setLabel(request.annotationUID, label.id);
    if (label.attributes.length > 0) store.openPicker({ ...request, stage: 'attributes', labelId: label.id });
    else store.closePicker();
  };

  return (
    <LabelChooser
      labels={allowed}
      preselected={preselected}
      onPick={pick}
      onEscape={() => pick(preselected)}
      onDelete={() => {
        deleteAnnotation(request.annotationUID);
        useToolStore.getState().closePicker();
      }}
    />
  );
}

/**
 * The picker's label list: type-ahead search, ↑/↓, Enter, 1–9, a label's own shortcut with
 * Ctrl/Alt or on F-keys. Also used where a segment is made (the segmentation panel).
 */
export function LabelChooser({
  labels: allowed,
  preselected,
  onPick,
  onEscape,
  onDelete,
  hint,
}: {
  labels: Label[];
  /** The line under the list; the measurement picker's by default. */
  hint?: string;
  preselected: Label | undefined;
  onPick(label: Label): void;
  onEscape(): void;
  onDelete?(): void;
}) {
  const { t, i18n } = useTranslation();
  const [query, setQuery] = useState('');
  const shown = useMemo(() => filterLabels(allowed, query), [allowed, query]);
  const [highlight, setHighlight] = useState<string | undefined>(preselected?.id);
  const highlighted = shown.find((label) => label.id === highlight) ?? shown[0];
  const pick = (label: Label | undefined) => {
    if (label) onPick(label);
  };

  const onKeyDown = (event: ReactKeyboardEvent<HTMLInputElement>) => {
    const key = event.key;
    if (/^[1-9]$/.test(key) && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      pick(shown[Number(key) - 1]);
      return;
    }
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      event.preventDefault();
      const index = highlighted ? shown.indexOf(highlighted) : -1;
      const next = shown[Math.max(0, Math.min(shown.length - 1, index + (key === 'ArrowDown' ? 1 : -1)))];
      setHighlight(next?.id);
      return;
    }
    if (key === 'Enter') {
      event.preventDefault();
      pick(highlighted);
      return;
    }
    if (key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onEscape();
      return;
    }
    if (key === 'Delete' && onDelete) {
      event.preventDefault();
      onDelete();
      return;
    }
    const combo = comboOf(event.nativeEvent);
    // Letters type into the search; a label's shortcut counts here only with Ctrl/Alt or on F-keys.
    const modified = event.ctrlKey || event.altKey || event.metaKey || /^F\d+$/.test(key);
    const action = combo && modified ? actionFor(combo) : null;
    if (action?.startsWith('label.')) {
      const label = allowed.find((item) => `label.${item.id}` === action);
      if (label) {
        event.preventDefault();
        pick(label);
      }
    }
  };

  return (
    <>
      <input
        type="text"
        className="label-picker__search"
        value={query}
        autoFocus
        placeholder={t('annotate.pickerPlaceholder')}
        aria-label={t('annotate.pickerPlaceholder')}
        aria-controls="label-picker-options"
        data-testid="label-picker-search"
        onChange={(event) => {
          setQuery(event.target.value);
          setHighlight(undefined);
        }}
        onKeyDown={onKeyDown}
      />
      <ul className="label-picker__options" id="label-picker-options" role="listbox">
        {shown.map((label, index) => (
          <li
            key={label.id}
            role="option"
            aria-selected={label === highlighted}
            className={
              label === highlighted
                ? 'label-picker__option label-picker__option--active'
                : 'label-picker__option'
            }
            data-testid="label-option"
            data-label-id={label.id}
            onPointerDown={(event) => event.preventDefault()}
            onClick={() => pick(label)}
          >
            <kbd>{index < 9 ? index + 1 : ''}</kbd>
            <span className="label-swatch" style={{ background: label.color }} />
            {localized(label.name, i18n.language)}
          </li>
        ))}
        {shown.length === 0 ? <li className="label-picker__empty">{t('annotate.noLabelMatches')}</li> : null}
      </ul>
      <div className="label-picker__hint">
        {hint ??
          t('annotate.pickerHint', { label: preselected ? localized(preselected.name, i18n.language) : '—' })}
      </div>
    </>
  );
}

function AttributesStep({ request }: { request: PickerRequest }) {
  const { i18n } = useTranslation();
  const schema = useSchema();
  const label = schema.labels.find((item) => item.id === request.labelId);
  const close = () => useToolStore.getState().closePicker();
  if (!label) return null;
  return (
    <>
      <div className="label-picker__title">
        <span className="label-swatch" style={{ background: label.color }} />
        {localized(label.name, i18n.language)}
      </div>
      <AttributeForm
        label={label}
        values={recordOf(request.annotationUID).attributes}
        autoFocus
        onSave={(values) => {
          setAttributes(request.annotationUID, values);
          close();
        }}
        onCancel={close}
      />
    </>
  );
}

function ArrowTextPrompt() {
  const prompt = useToolStore((state) => state.arrowPrompt);
  return prompt ? <ArrowTextForm key={prompt.at.x + prompt.at.y + prompt.initial} prompt={prompt} /> : null;
}

function ArrowTextForm({ prompt }: { prompt: ArrowPrompt }) {
  const { t } = useTranslation();
  const [text, setText] = useState(prompt.initial);
  const finish = (value: string) => {
    useToolStore.getState().setArrowPrompt(null);
    prompt.done(value);
  };
  return (
    <form
      className="label-picker"
      style={placeAt(prompt.at)}
      data-testid="arrow-text"
      onSubmit={(event) => {
        event.preventDefault();
        finish(text.trim());
      }}
    >
      <div className="label-picker__title">{t('annotate.arrowText')}</div>
      <input
        type="text"
        className="label-picker__search"
        value={text}
        autoFocus
        maxLength={200}
        aria-label={t('annotate.arrowText')}
        data-testid="arrow-text-input"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            finish(prompt.initial);
          }
        }}
      />
      <div className="label-picker__hint">{t('annotate.arrowTextHint')}</div>
    </form>
  );
}

/** The picker and the arrow prompt, floating above the viewer. */
export function LabelPickerLayer() {
  const { t } = useTranslation();
  const request = useToolStore((state) => state.picker);
  return (
    <>
      {request ? (
        <div
          className="label-picker"
          role="dialog"
          aria-label={t('annotate.pickLabel')}
          data-testid="label-picker"
          data-stage={request.stage}
          data-uid={request.annotationUID}
          data-tool={request.toolName}
          style={placeAt(request.at)}
        >
          {request.stage === 'label' ? (
            <LabelStep key={request.annotationUID} request={request} />
          ) : (
            <AttributesStep key={`${request.annotationUID}-${request.labelId}`} request={request} />
          )}
        </div>
      ) : null}
      <ArrowTextPrompt />
    </>
  );
}
