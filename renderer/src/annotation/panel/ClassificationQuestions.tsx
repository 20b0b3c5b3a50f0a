/**
 * The schema's classification questions: the study's, and the series' for the series in the
 * active viewport. Single choice as radio buttons (a second click clears), multiple as checkboxes;
 * each change is saved as a new classification version at once.
 */
import { useTranslation } from 'react-i18next';
import type { Question } from '../../../../shared/annotation.js';
import type { SeriesSummary } from '../../../../shared/contract.js';
import { localized } from '../tools/labels.js';
import { answerKey } from './completeness.js';
import { useAnswers, useStudyPanelStore } from './useStudyPanelStore.js';

function QuestionField({ question, series }: { question: Question; series?: SeriesSummary }) {
  const { t, i18n } = useTranslation();
  const seriesUID = series?.seriesInstanceUID;
  const studyUID = useStudyPanelStore((state) => state.studyInstanceUID) ?? '';
  const chosen = useAnswers(studyUID)[answerKey(question.id, seriesUID)] ?? [];
  const answer = useStudyPanelStore((state) => state.answer);
  const toggle = (optionId: string) => {
    const next =
      question.type === 'single'
        ? chosen.includes(optionId)
          ? []
          : [optionId]
        : chosen.includes(optionId)
          ? chosen.filter((id) => id !== optionId)
          : [...chosen, optionId];
    answer(question.id, question.level, next, seriesUID);
  };
  const missing = question.required && chosen.length === 0;
  return (
    <fieldset
      className={missing ? 'question question--missing' : 'question'}
      data-testid="question"
      data-question={question.id}
      data-series={seriesUID ?? ''}
    >
      <legend>
        {localized(question.name, i18n.language)}
        {question.required ? (
          <span className="attribute-form__required" title={t('annotate.required')}>
            {' '}
            *
          </span>
        ) : null}
      </legend>
      {question.options.map((option) => (
        <label key={option.id} className="question__option">
          <input
            type={question.type === 'single' ? 'radio' : 'checkbox'}
            name={`${question.id}-${seriesUID ?? 'study'}`}
            checked={chosen.includes(option.id)}
            data-testid={`question-option-${question.id}-${option.id}`}
            onClick={question.type === 'single' ? () => toggle(option.id) : undefined}
            onChange={question.type === 'multiple' ? () => toggle(option.id) : () => undefined}
          />
          {localized(option.name, i18n.language)}
        </label>
      ))}
    </fieldset>
  );
}

export function ClassificationQuestions({
  questions,
  series,
}: {
  questions: Question[];
  series: SeriesSummary | null;
}) {
  const { t } = useTranslation();
  const studyQuestions = questions.filter((question) => question.level === 'study');
  const seriesQuestions = questions.filter((question) => question.level === 'series');
  if (studyQuestions.length === 0 && seriesQuestions.length === 0) return null;
  return (
    <section className="annotation-panel__section" data-testid="classification">
      {studyQuestions.length > 0 ? <h4>{t('annotate.studyQuestions')}</h4> : null}
      {studyQuestions.map((question) => (
        <QuestionField key={question.id} question={question} />
      ))}
      {seriesQuestions.length > 0 && series ? (
        <>
          <h4>
            {t('annotate.seriesQuestions', {
              series:
                series.seriesDescription || t('worklist.seriesNumber', { number: series.seriesNumber ?? '' }),
            })}
          </h4>
          {seriesQuestions.map((question) => (
            <QuestionField
              key={`${question.id}-${series.seriesInstanceUID}`}
              question={question}
              series={series}
            />
          ))}
        </>
      ) : null}
    </section>
  );
}
