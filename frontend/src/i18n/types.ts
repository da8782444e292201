import type { Messages } from './locales/en';

export type { Messages };
export type MessageKey = keyof Messages;
/** A message with plural forms ("x_one", "x_other") is asked for as "x" with a count. */
export type PluralKey = MessageKey extends infer K ? (K extends `${infer B}_other` ? B : never) : never;

/** A language: one file in locales/ exporting `locale` (see locales/en.ts). */
export interface Locale {
  /** BCP 47 tag, e.g. "de"; Intl formats numbers, dates, distances and money with it. */
  tag: string;
  /** The language's name in itself, for the language menu. */
  name: string;
  /** Currency for money when an amount carries none. */
  currency: string;
  messages: Messages;
  /** Cloudscape's own strings (table labels, pagination...) in this language, loaded on demand. */
  cloudscape: () => Promise<unknown>;
}
