// Sell: the owner lists the car. The form's one Idempotency-Key makes a double click or a retry
// answer the listing already created; the preview is the share page's own component.
import { useEffect, useMemo, useState } from 'react';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Container from '@cloudscape-design/components/container';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Button from '@cloudscape-design/components/button';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Spinner from '@cloudscape-design/components/spinner';
import Link from '@cloudscape-design/components/link';
import { ApiError, toApiError, type Report } from '../api/client';
import { describeError } from '../api/errors';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n';
import { followLink, navigate, type PageProps } from '../router';
import { useSite } from '../site';
import { ListingForm } from '../listings/ListingForm';
import { ListingView } from '../listings/ListingView';
import {
  EMPTY_DRAFT,
  activeListingId,
  formField,
  newIdempotencyKey,
  previewListing,
  toCreate,
  validateDraft,
  verifiedFromReport,
  type Draft,
  type Problem,
} from '../listings/listing';

const FORM_FIELDS = ['priceEur', 'description', 'photos', 'region.country', 'region.postalPrefix'];

type Load = { status: 'loading' } | { status: 'ok'; report: Report } | { status: 'error'; error: ApiError };

export default function SellPage({ params }: PageProps) {
  const vin = (params.vin ?? '').toUpperCase();
  const i18n = useI18n();
  const { t } = i18n;
  const { api } = useSite();
  const { session, ready, signIn } = useAuth();
  const token = session?.accessToken ?? null;
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per form: kept across retries of an answer we never saw, renewed after a definite "no".
  const [key, setKey] = useState(newIdempotencyKey);

  useEffect(() => {
    if (!ready) return;
    const ctrl = new AbortController();
    setLoad({ status: 'loading' });
    api
      .getReport(vin, ctrl.signal)
      .then((report) => setLoad({ status: 'ok', report }))
      .catch((e: Error) => {
        if (e.name === 'AbortError') return;
        setLoad({ status: 'error', error: toApiError(e) });
      });
    return () => ctrl.abort();
  }, [api, vin, token, ready]);

  const verified = useMemo(() => (load.status === 'ok' ? verifiedFromReport(load.report) : null), [load]);

  const header = <Header variant="h1" description={<span className="vin">{vin}</span>}>{t('sell.title')}</Header>;
  const back = (
    <Link href={`/vehicles/${vin}`} onFollow={(e) => followLink(e)}>
      {t('sell.back')}
    </Link>
  );

  if (!ready || load.status === 'loading') {
    return (
      <ContentLayout header={header}>
        <Box textAlign="center" padding="l">
          <Spinner size="large" /> {t('page.loading')}
        </Box>
      </ContentLayout>
    );
  }
  if (!session) {
    return (
      <ContentLayout header={header}>
        <Alert type="info" header={t('sell.signIn.title')} action={<Button onClick={() => void signIn()}>{t('auth.signIn')}</Button>}>
          {t('sell.signIn.body')}
        </Alert>
      </ContentLayout>
    );
  }
  if (load.status === 'error') {
    return (
      <ContentLayout header={header}>
        <SpaceBetween size="m">
          <Alert type="error">{describeError(load.error, i18n)}</Alert>
          {back}
        </SpaceBetween>
      </ContentLayout>
    );
  }
  if (load.report.access !== 'owner') {
    return (
      <ContentLayout header={header}>
        <SpaceBetween size="m">
          <Alert type="info" header={t('sell.notOwner.title')}>
            {t('sell.notOwner.body')}
          </Alert>
          {back}
        </SpaceBetween>
      </ContentLayout>
    );
  }

  const submit = async () => {
    const found = validateDraft(draft);
    setProblems(found);
    setError(null);
    if (found.length > 0 || busy) return;
    setBusy(true);
    try {
      const { value } = await api.createListing(toCreate(vin, draft), key);
      navigate(`/me/listings/${value.id}?created=1`);
    } catch (e) {
      const err = toApiError(e);
      setError(err);
      // A 4xx answer means nothing was created: the next attempt (perhaps with other values) is a
      // new request. After a lost answer or a server error the listing may exist: keep the key.
      if (err.status >= 400 && err.status < 500 && err.code !== 'TOO_MANY_REQUESTS') setKey(newIdempotencyKey());
    } finally {
      setBusy(false);
    }
  };

  const existing = error ? activeListingId(error) : null;
  const general = error && !FORM_FIELDS.includes(formField(error.field) ?? '') && !existing ? describeError(error, i18n) : null;

  return (
    <ContentLayout header={header}>
      <SpaceBetween size="l">
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Container header={<Header variant="h2">{t('sell.form.title')}</Header>}>
            <SpaceBetween size="m">
              <Box>{t('sell.intro')}</Box>
              {existing && (
                <Alert type="warning" header={t('sell.exists.title')}>
                  {t('sell.exists.body')}{' '}
                  <Link href={`/me/listings/${existing}`} onFollow={(e) => followLink(e)}>
                    {t('sell.exists.link')}
                  </Link>
                </Alert>
              )}
              {general && <Alert type="error">{general}</Alert>}
              <ListingForm draft={draft} onChange={setDraft} problems={problems} error={error} withRegion />
              <SpaceBetween direction="horizontal" size="xs">
                <Button variant="primary" formAction="submit" loading={busy} data-testid="create-listing">
                  {t('sell.submit')}
                </Button>
                <Button formAction="none" href={`/vehicles/${vin}`} onFollow={(e) => followLink(e)}>
                  {t('sell.cancel')}
                </Button>
              </SpaceBetween>
            </SpaceBetween>
          </Container>
        </form>
        <section aria-labelledby="preview-title" data-testid="listing-preview">
          <SpaceBetween size="s">
            <Header variant="h2" description={t('sell.preview.description')}>
              <span id="preview-title">{t('sell.preview.title')}</span>
            </Header>
            {verified && <ListingView listing={previewListing(verified, draft)} />}
          </SpaceBetween>
        </section>
      </SpaceBetween>
    </ContentLayout>
  );
}
