// Plain words for API errors, in the reader's language: a rule the site knows for the field gets
// its own sentence; otherwise the code's sentence, with the API's message (safe to show by
// contract) as the detail.
import type { I18n } from '../i18n';
import type { ApiError } from './client';

export function describeError(err: ApiError, i18n: I18n): string {
  const { t, has } = i18n;
  if (err.field && err.rule) {
    // ".any" is the variant of a sentence for when the API does not say where (e.g. which character).
    for (const key of [`${err.field}.${err.rule}.any`, `${err.field}.${err.rule}`]) if (has(key)) return t(key);
  }
  const codeKey = `error.${err.code}`;
  const base = has(codeKey) ? t(codeKey, { requestId: err.requestId ?? '-' }) : err.message;
  if (err.code === 'INTERNAL' || err.code === 'NETWORK' || !err.message) return base;
  return `${base} ${t('error.detail', { message: err.message })}`;
}

/** fieldError is the message for one form field, when the error names it. */
export function fieldError(err: ApiError | null, field: string, i18n: I18n): string | undefined {
  if (!err || err.field !== field) return undefined;
  return describeError(err, i18n);
}
