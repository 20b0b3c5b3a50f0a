/**
 * The attributes a label asks for (schema: choice, number, text; some required), as a small form:
 * in the picker right after a label is chosen, and in the panel to edit them later. Saving with a
 * required attribute left empty is allowed (the reader may come back to it); the panel marks it
 * and the study cannot be marked complete until it is filled.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Attribute, Label } from '../../../shared/annotation.js';
import type { AttributeValue } from './tools/storeLink.js';
import { localized } from './tools/labels.js';

interface AttributeFormProps {
  label: Label;
  values: Record<string, AttributeValue>;
  onSave(values: Record<string, AttributeValue>): void;
  onCancel(): void;
  autoFocus?: boolean;
}

type Draft = Record<string, string>;

function draftOf(attributes: Attribute[], values: Record<string, AttributeValue>): Draft {
  return Object.fromEntries(
    attributes.map((attribute) => {
      const value = values[attribute.id];
      return [
        attribute.id,
        value === undefined ? '' : Array.isArray(value) ? value.join(', ') : String(value),
      ];
    }),
  );
}

/** The number's problem, if any: not a number, below min, above max. */
export function numberProblem(attribute: Attribute, text: string): 'nan' | 'min' | 'max' | null {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value)) return 'nan';
  if (attribute.min !== undefined && value < attribute.min) return 'min';
  if (attribute.max !== undefined && value > attribute.max) return 'max';
  return null;
}

export function AttributeForm({ label, values, onSave, onCancel, autoFocus }: AttributeFormProps) {
  const { t, i18n } = useTranslation();
  const [draft, setDraft] = useState<Draft>(() => draftOf(label.attributes, values));
  const problems = label.attributes
    .filter((attribute) => attribute.type === 'number')
    .map((attribute) => ({ attribute, problem: numberProblem(attribute, draft[attribute.id] ?? '') }))
    .filter((item) => item.problem !== null);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (problems.length > 0) return;
    const result: Record<string, AttributeValue> = {};
    for (const attribute of label.attributes) {
      const text = (draft[attribute.id] ?? '').trim();
      if (text === '') continue;
      result[attribute.id] = attribute.type === 'number' ? Number(text) : text;
    }
    onSave(result);
  };

  return (
    <form
      className="attribute-form"
      data-testid="attribute-form"
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          onCancel();
        }
      }}
    >
      {label.attributes.map((attribute, index) => {
        const name = localized(attribute.name, i18n.language);
        const value = draft[attribute.id] ?? '';
        const set = (next: string) => setDraft((current) => ({ ...current, [attribute.id]: next }));
        const problem = problems.find((item) => item.attribute.id === attribute.id)?.problem;
        return (
          <div key={attribute.id} className="attribute-form__field" data-attribute={attribute.id}>
            <span className="attribute-form__name">
              {name}
              {attribute.required ? (
                <span className="attribute-form__required" title={t('annotate.required')}>
                  {' '}
                  *
                </span>
              ) : null}
              {attribute.unit ? <span className="attribute-form__unit"> ({attribute.unit})</span> : null}
            </span>
            {attribute.type === 'choice' ? (
              <div className="attribute-form__choices" role="radiogroup" aria-label={name}>
                {(attribute.options ?? []).map((option, optionIndex) => (
                  <button
                    key={option.id}
                    type="button"
                    role="radio"
                    aria-checked={value === option.id}
                    className={value === option.id ? 'tool-button tool-button--active' : 'tool-button'}
                    data-testid={`attribute-option-${attribute.id}-${option.id}`}
                    autoFocus={autoFocus && index === 0 && optionIndex === 0}
                    onClick={() => set(value === option.id ? '' : option.id)}
                  >
                    {localized(option.name, i18n.language)}
                  </button>
                ))}
              </div>
            ) : (
              <input
                type={attribute.type === 'number' ? 'number' : 'text'}
                inputMode={attribute.type === 'number' ? 'decimal' : undefined}
                step="any"
                min={attribute.min}
                max={attribute.max}
                value={value}
                aria-label={name}
                aria-invalid={problem ? true : undefined}
                data-testid={`attribute-input-${attribute.id}`}
                autoFocus={autoFocus && index === 0}
                onChange={(event) => set(event.target.value)}
              />
            )}
            {problem ? (
              <span className="attribute-form__problem" role="alert">
                {problem === 'nan'
                  ? t('annotate.notANumber')
                  : problem === 'min'
                    ? t('annotate.belowMin', { min: attribute.min })
                    : t('annotate.aboveMax', { max: attribute.max })}
              </span>
            ) : null}
          </div>
        );
      })}
      <div className="attribute-form__actions">
        <button type="submit" className="button button--primary" data-testid="attribute-save">
          {t('annotate.saveAttributes')}
        </button>
        <button type="button" className="button" data-testid="attribute-skip" onClick={onCancel}>
          {t('annotate.later')}
        </button>
      </div>
    </form>
  );
}
