import { describe, expect, it } from 'vitest';
import { LOCALES, pickLocale, translate } from '.';
import { formatters } from './format';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('languages', () => {
  const en = LOCALES.find((l) => l.tag === 'en')!;

  it('are found from the files in locales/', () => {
    expect(LOCALES.map((l) => l.tag)).toEqual(['en', 'de']);
  });

  it('have every key of English, with the same placeholders, and no empty text', () => {
    for (const l of LOCALES) {
      expect(Object.keys(l.messages).sort()).toEqual(Object.keys(en.messages).sort());
      for (const [k, v] of Object.entries(l.messages)) {
        expect(v, `${l.tag} ${k}`).not.toBe('');
        expect(placeholders(v), `${l.tag} ${k}`).toEqual(placeholders((en.messages as Record<string, string>)[k]!));
      }
    }
  });

  it('picks the browser language, falling back on English', () => {
    expect(pickLocale(['de-AT', 'en']).tag).toBe('de');
    expect(pickLocale(['fr-FR']).tag).toBe('en');
  });

  it('fills placeholders and plural forms', () => {
    const de = pickLocale(['de']);
    expect(translate(en, 'recalls.openCount', { count: 1 })).toBe('1 open recall: have it done at a workshop.');
    expect(translate(en, 'recalls.openCount', { count: 2 })).toBe('2 open recalls: have them done at a workshop.');
    expect(translate(de, 'registration.owners', { count: 3 })).toBe('3 Halter');
    expect(translate(en, 'vin.alphabet', { position: 13 })).toContain('Character 13');
  });
});

describe('formatting', () => {
  it('writes distances, numbers and money the way each language does', () => {
    const en = formatters('en');
    const de = formatters('de');
    expect(en.km(144935)).toBe('144,935 km');
    expect(de.km(144935)).toBe('144.935 km');
    expect(de.money(1234.5, 'EUR')).toBe('1.234,50\u00a0€');
    expect(en.money(1234.5, 'EUR')).toBe('€1,234.50');
  });

  it('writes calendar dates and months without moving them across time zones', () => {
    expect(formatters('en').date('2016-05-19')).toBe('May 19, 2016');
    expect(formatters('de').date('2016-05-19')).toBe('19.05.2016');
    expect(formatters('de').month('2022-04')).toBe('Apr. 2022');
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    expect(formatters('en').relative('2026-12-06T09:55:00Z', now)).toBe('5 minutes ago');
    expect(formatters('de').relative('2026-12-04T10:00:00Z', now)).toBe('vorgestern');
    expect(formatters('en').relative('not a time', now)).toBe('not a time');
  });
});
