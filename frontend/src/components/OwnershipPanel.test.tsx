import { describe, expect, it } from 'vitest';
import { codeProblem } from './OwnershipPanel';
import { describeError } from '../api/errors';
import { ApiError } from '../api/client';
import { LOCALES, translate, type I18n } from '../i18n';
import { formatters } from '../i18n/format';

function i18n(tag: string): I18n {
  const locale = LOCALES.find((l) => l.tag === tag)!;
  return {
    locale,
    setLocale: () => {},
    t: (k, p) => translate(locale, k, p),
    has: (k: string): k is keyof typeof locale.messages => k in locale.messages,
    fmt: formatters(tag),
  };
}

describe('ownership code rules (OwnershipVerifyRequest.code)', () => {
  it('follow the contract', () => {
    expect(codeProblem('')).toBe('required');
    expect(codeProblem('12345')).toBe('length');
    expect(codeProblem('1234567890123')).toBe('length');
    expect(codeProblem('12345a')).toBe('alphabet');
    expect(codeProblem('123456')).toBeNull();
    expect(codeProblem('AB12CD34')).toBeNull();
  });
});

describe('API errors in plain words', () => {
  it('use the sentence for a known field rule', () => {
    const e = new ApiError(400, 'INVALID', 'path parameter vin contains characters that are not allowed', 'vin', 'alphabet');
    expect(describeError(e, i18n('en'))).toContain('A VIN uses digits and the letters A-Z except I, O and Q');
  });

  it('keep the API message as the detail of other errors', () => {
    const e = new ApiError(403, 'FORBIDDEN', 'wrong code: 4 attempts left', 'code');
    expect(describeError(e, i18n('en'))).toBe('You are not allowed to do this. Details: wrong code: 4 attempts left');
    expect(describeError(e, i18n('de'))).toBe('Das dürfen Sie nicht. Details: wrong code: 4 attempts left');
  });

  it('give the request id for our own failures, and nothing internal', () => {
    const e = new ApiError(500, 'INTERNAL', 'internal error', undefined, undefined, 'abc123');
    expect(describeError(e, i18n('en'))).toBe(
      'Something went wrong on our side. Please try again; if it keeps happening, quote request abc123.',
    );
  });
});
