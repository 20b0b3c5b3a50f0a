/** Reading the label schema for the interface: names in the reader's language, labels per tool. */
import type { Label, LabelSchema, LocalizedText } from '../../../../shared/annotation.js';

export function localized(text: LocalizedText, language: string): string {
  return language.startsWith('zh') ? text['zh-CN'] : text.en;
}

const DRAWN_KINDS = new Set(['measurement', 'region']);

/**
 * The labels a tool may take: those whose `tools` name it; when the schema names the tool for no
 * label, every measurement and region label (a schema written before the tool existed still works).
 */
export function labelsForTool(schema: LabelSchema, toolName: string): Label[] {
  const drawn = schema.labels.filter((label) => DRAWN_KINDS.has(label.kind));
  const allowed = drawn.filter((label) => label.tools.includes(toolName));
  return allowed.length > 0 ? allowed : drawn;
}

/** Labels whose name (either language) or id contains the typed text, best first (prefix). */
export function filterLabels(labels: Label[], query: string): Label[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return labels;
  const names = (label: Label) =>
    [label.name.en, label.name['zh-CN'], label.id].map((name) => name.toLowerCase());
  const prefix = labels.filter((label) => names(label).some((name) => name.startsWith(needle)));
  const inside = labels.filter(
    (label) => !prefix.includes(label) && names(label).some((name) => name.includes(needle)),
  );
  return [...prefix, ...inside];
}
