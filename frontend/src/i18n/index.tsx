import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { I18nProvider as CloudscapeI18n } from '@cloudscape-design/components/i18n';
import type { I18nProviderProps } from '@cloudscape-design/components/i18n';
import type { Locale, MessageKey, PluralKey } from './types';
import { formatters, type Formatters } from './format';

// Every file in locales/ is a language: adding one is adding a file.
const modules = import.meta.glob<{ locale: Locale }>('./locales/*.ts', { eager: true });
export const LOCALES: Locale[] = Object.values(modules)
  .map((m) => m.locale)
  .sort((a, b) => (a.tag === 'en' ? -1 : b.tag === 'en' ? 1 : a.tag.localeCompare(b.tag)));

/** The language choice is kept for the browser tab only; it is not personal. */
const STORAGE_KEY = 'lang';

export type Params = Record<string, string | number>;

export interface I18n {
  locale: Locale;
  setLocale(tag: string): void;
  t(key: MessageKey | PluralKey, params?: Params): string;
  /** has reports whether a key exists (for keys built from API values, e.g. a rule name). */
  has(key: string): key is MessageKey;
  fmt: Formatters;
}

export function pickLocale(wanted: readonly string[], locales: Locale[] = LOCALES): Locale {
  for (const w of wanted) {
    const lang = w.toLowerCase().split('-')[0];
    const hit = locales.find((l) => l.tag.toLowerCase() === w.toLowerCase() || l.tag.toLowerCase() === lang);
    if (hit) return hit;
  }
  return locales[0]!;
}

export function translate(locale: Locale, key: MessageKey | PluralKey, params: Params = {}): string {
  let k: string = key;
  if (typeof params.count === 'number') {
    const plural = `${key}_${new Intl.PluralRules(locale.tag).select(params.count)}`;
    const other = `${key}_other`;
    k = plural in locale.messages ? plural : other in locale.messages ? other : key;
  }
  const msg = (locale.messages as Record<string, string>)[k] ?? k;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

const Ctx = createContext<I18n | null>(null);

function initialLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = sessionStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage may be disabled; the browser's languages still work.
  }
  return pickLocale(stored ? [stored] : (navigator.languages ?? [navigator.language]));
}

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: string }) {
  const [locale, setLocaleState] = useState<Locale>(() => (initial ? pickLocale([initial]) : initialLocale()));
  const [cloudscape, setCloudscape] = useState<I18nProviderProps.Messages | null>(null);

  useEffect(() => {
    document.documentElement.lang = locale.tag;
    let live = true;
    locale
      .cloudscape()
      .then((m) => live && setCloudscape((m as { default: I18nProviderProps.Messages }).default))
      .catch(() => live && setCloudscape(null));
    return () => {
      live = false;
    };
  }, [locale]);

  const setLocale = useCallback((tag: string) => {
    const l = pickLocale([tag]);
    try {
      sessionStorage.setItem(STORAGE_KEY, l.tag);
    } catch {
      // Not kept then; fine.
    }
    setLocaleState(l);
  }, []);

  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: (key, params) => translate(locale, key, params),
      has: (key: string): key is MessageKey => key in locale.messages,
      fmt: formatters(locale.tag),
    }),
    [locale, setLocale],
  );
  return (
    <Ctx.Provider value={value}>
      <CloudscapeI18n locale={locale.tag} messages={cloudscape ? [cloudscape] : []}>
        {children}
      </CloudscapeI18n>
    </Ctx.Provider>
  );
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
