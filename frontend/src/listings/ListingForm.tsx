// The seller's fields: price, description, photos and (on create) region. Each field shows the
// form's own check or the API's error that names it, in plain words.
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Textarea from '@cloudscape-design/components/textarea';
import SpaceBetween from '@cloudscape-design/components/space-between';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import { ApiError } from '../api/client';
import { describeError } from '../api/errors';
import { useI18n } from '../i18n';
import { MAX_DESCRIPTION, formField, type Draft, type Problem } from './listing';

/** fieldMessage: the form's own problem first, else the API's error for this field. */
export function useFieldMessage(problems: Problem[], error: ApiError | null) {
  const i18n = useI18n();
  const { t, has } = i18n;
  return (field: string): string | undefined => {
    const p = problems.find((x) => x.field === field);
    if (p) {
      const key = `${p.field}.${p.rule}`;
      return has(key) ? t(key) : t('error.INVALID');
    }
    if (error && formField(error.field) === field) {
      // photos[3] is shown at the photos field, with the sentence of its rule.
      return describeError(new ApiError(error.status, error.code, error.message, field, error.rule, error.requestId), i18n);
    }
    return undefined;
  };
}

export function ListingForm({
  draft,
  onChange,
  problems,
  error,
  withRegion,
}: {
  draft: Draft;
  onChange(d: Draft): void;
  problems: Problem[];
  error: ApiError | null;
  withRegion: boolean;
}) {
  const { t } = useI18n();
  const msg = useFieldMessage(problems, error);
  const set = (k: keyof Draft) => (e: { detail: { value: string } }) => onChange({ ...draft, [k]: e.detail.value });
  return (
    <SpaceBetween size="m">
      <FormField label={t('sell.price.label')} description={t('sell.price.description')} errorText={msg('priceEur')}>
        <Input value={draft.price} onChange={set('price')} inputMode="numeric" controlId="listing-price" name="priceEur" />
      </FormField>
      <FormField
        label={t('sell.description.label')}
        description={t('sell.description.description')}
        constraintText={t('sell.description.constraint', { count: [...draft.description].length, max: MAX_DESCRIPTION })}
        errorText={msg('description')}
      >
        <Textarea value={draft.description} onChange={set('description')} rows={5} controlId="listing-description" name="description" />
      </FormField>
      <FormField label={t('sell.photos.label')} description={t('sell.photos.description')} errorText={msg('photos')}>
        <Textarea value={draft.photos} onChange={set('photos')} rows={3} controlId="listing-photos" name="photos" placeholder="https://" />
      </FormField>
      {withRegion && (
        <ColumnLayout columns={2}>
          <FormField label={t('sell.country.label')} description={t('sell.country.description')} errorText={msg('region.country')}>
            <Input value={draft.country} onChange={set('country')} controlId="listing-country" name="country" autoComplete="country" />
          </FormField>
          <FormField label={t('sell.postal.label')} description={t('sell.postal.description')} errorText={msg('region.postalPrefix')}>
            <Input value={draft.postalPrefix} onChange={set('postalPrefix')} controlId="listing-postal" name="postalPrefix" />
          </FormField>
        </ColumnLayout>
      )}
    </SpaceBetween>
  );
}
