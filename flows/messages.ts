import en from '../locales/en.json' with { type: 'json' };
import fil from '../locales/fil.json' with { type: 'json' };
import id from '../locales/id.json' with { type: 'json' };
import type { LocaleCode } from '../src/core/index.js';

/** The locale files are data: flows read their keyword lists and type their message keys from them. */
export const LOCALE_DATA = { en, fil, id } as const satisfies Record<LocaleCode, unknown>;

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : T[K] extends readonly unknown[] ? never : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

/** Every message key the machine may use; checked at compile time against en.json. */
export type MessageKey = Exclude<Leaves<typeof en>, `intents.${string}`>;
export type IntentName = keyof typeof en.intents;

/** Marks a string as a message key (compile-time check only). */
export const k = <K extends MessageKey>(key: K): K => key;
