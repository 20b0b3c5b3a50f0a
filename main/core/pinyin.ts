/**
 * Toneless pinyin syllables of Hanzi, for search keys (catalog) and name matching (de-identification).
 * pinyin-pro and its dictionary (~10 MiB resident) are loaded on the first name with Hanzi, not at
 * start: a PACS receiver or an import of Latin names never needs them.
 */
import { createRequire } from 'node:module';
import type * as PinyinModule from 'pinyin-pro';

type PinyinPro = typeof PinyinModule;

let loaded: PinyinPro | null = null;

/** "李雷" → ["li", "lei"]. */
export function pinyinSyllables(hanzi: string): string[] {
  loaded ??= createRequire(import.meta.url)('pinyin-pro') as PinyinPro;
  return loaded.pinyin(hanzi, { toneType: 'none', type: 'array' });
}
