import { useState } from 'react';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Button from '@cloudscape-design/components/button';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { alphabetProblem, normalizeVin, validateVin, type VinProblem } from '../vin';
import { useI18n, type I18n } from '../i18n';

export function vinMessage(p: VinProblem, { t }: Pick<I18n, 't'>): string {
  if (p.rule === 'alphabet') return p.position ? t('vin.alphabet', { position: p.position }) : t('vin.alphabet.any');
  return t(`vin.${p.rule}`);
}

/**
 * liveProblem is what to say while the person is still typing: a character that can never be
 * right at once, the length only once they are done (submitted or left the field) or over 17, and
 * the check digit and model year once all 17 characters are there.
 */
export function liveProblem(value: string, done: boolean): VinProblem | null {
  const v = normalizeVin(value);
  if (v === '') return done ? { rule: 'length' } : null;
  const bad = alphabetProblem(v);
  if (bad) return bad;
  if (v.length === 17 || v.length > 17 || done) return validateVin(v);
  return null;
}

export function VinForm({
  initial = '',
  serverError,
  submitLabel,
  onSubmit,
}: {
  initial?: string;
  /** An error from the API that names the vin field: shown next to it. */
  serverError?: string;
  /** The button's words, when the form does something other than look the car up. */
  submitLabel?: string;
  onSubmit(vin: string): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [value, setValue] = useState(initial);
  const [done, setDone] = useState(false);
  const [shownServerError, setShownServerError] = useState(serverError);
  const problem = liveProblem(value, done);
  const error = problem ? vinMessage(problem, i18n) : shownServerError;

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setDone(true);
        const v = normalizeVin(value);
        if (!validateVin(v)) onSubmit(v);
      }}
    >
      <Form actions={<Button variant="primary" formAction="submit">{submitLabel ?? t('lookup.submit')}</Button>}>
        <SpaceBetween size="m">
          <FormField
            label={t('lookup.vin.label')}
            description={t('lookup.vin.description')}
            constraintText={t('lookup.vin.constraint', { count: normalizeVin(value).length })}
            errorText={error}
            stretch
          >
            <Input
              value={value}
              onChange={(e) => {
                setValue(e.detail.value);
                setShownServerError(undefined);
              }}
              onBlur={() => value !== '' && setDone(true)}
              autoComplete={false}
              spellcheck={false}
              placeholder="WVWZZZCD3MW100001"
              inputMode="text"
              name="vin"
              controlId="vin"
            />
          </FormField>
        </SpaceBetween>
      </Form>
    </form>
  );
}
