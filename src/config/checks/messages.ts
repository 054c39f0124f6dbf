import { loadLocaleFiles, type LocaleResources } from '../../i18n/index.js';
import { facilityPath, rec, str, type ConfigInput, type Report } from './input.js';

const LANGUAGES = ['en', 'fil', 'id'] as const;

/** `{{name}}`, `{{- name}}`, `{{name, format}}` → name */
export function variablesOf(text: string): Set<string> {
  return new Set([...text.matchAll(/\{\{-?\s*([^}\s,]+)[^}]*\}\}/g)].map((m) => m[1]!));
}

/** Every message of a locale file by dotted key (keyword lists are not messages). */
function messagesOf(resources: LocaleResources, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(resources)) {
    const key = prefix + k;
    if (typeof v === 'string') out.set(key, v);
    else if (rec(v) && key !== 'intents') messagesOf(v as LocaleResources, `${key}.`, out);
  }
  return out;
}

let catalog: Record<(typeof LANGUAGES)[number], Map<string, string>> | undefined;
const messages = () => {
  if (!catalog) {
    const files = loadLocaleFiles();
    catalog = { en: messagesOf(files.en), fil: messagesOf(files.fil), id: messagesOf(files.id) };
  }
  return catalog;
};

/**
 * A facility's `messages` override existing messages only, with only the variables the original uses
 * (the code fills those and no other: an unknown one would be sent as typed).
 */
export function messageOverrideRules({ facilities }: ConfigInput, add: Report): void {
  facilities.forEach((f, i) => {
    const byLanguage = rec(f.messages);
    if (!byLanguage) return;
    for (const lang of LANGUAGES) {
      const overrides = rec(byLanguage[lang]);
      if (!overrides) continue;
      for (const [key, value] of Object.entries(overrides)) {
        const text = str(value);
        if (text === undefined) continue;
        const path = facilityPath(i, 'messages', lang, key);
        const original = messages()[lang].get(key);
        if (original === undefined) {
          add(path, 'no such message in the locale files');
          continue;
        }
        const known = variablesOf(original);
        for (const v of variablesOf(text)) {
          if (!known.has(v)) add(path, `{{${v}}} is not a variable of this message (it has ${known.size ? [...known].map((n) => `{{${n}}}`).join(', ') : 'none'})`);
        }
      }
    }
  });
}
