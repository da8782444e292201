// One of the seller's listings: its share link (with a copy button), editing with If-Match, and
// withdrawing. A stale edit (412: it changed since it was read) is explained with the current
// values, and the seller's own changes can be applied again on top of them.
import { useCallback, useEffect, useState } from 'react';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Container from '@cloudscape-design/components/container';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Button from '@cloudscape-design/components/button';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Spinner from '@cloudscape-design/components/spinner';
import Link from '@cloudscape-design/components/link';
import Modal from '@cloudscape-design/components/modal';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import { ApiError, toApiError, type Listing, type ListingPatch } from '../api/client';
import { describeError } from '../api/errors';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n';
import { followLink, useLocation, type PageProps } from '../router';
import { useSite } from '../site';
import { ListingForm } from '../listings/ListingForm';
import { ListingView, listingTitle } from '../listings/ListingView';
import { draftOf, formField, photoList, shareUrlOf, validateDraft, type Draft, type Problem } from '../listings/listing';

type Load = { status: 'loading' } | { status: 'ok'; listing: Listing; etag: string | null } | { status: 'error'; error: ApiError };

/** patchOf sends only what the seller changed against the listing they edited. */
export function patchOf(base: Listing, d: Draft): ListingPatch {
  const p: ListingPatch = {};
  const price = Number(d.price.trim());
  if (price !== base.priceEur) p.priceEur = price;
  if (d.description !== base.description) p.description = d.description;
  const photos = photoList(d.photos);
  if (photos.join('\n') !== base.photos.join('\n')) p.photos = photos;
  return p;
}

export default function ManageListingPage({ params }: PageProps) {
  const id = params.id ?? '';
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const { api } = useSite();
  const { session, ready, signIn } = useAuth();
  const { search } = useLocation();
  const created = new URLSearchParams(search).has('created');
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  /** The listing as it is now, after a stale edit: shown beside the seller's changes. */
  const [conflict, setConflict] = useState<{ now: Listing; mine: ListingPatch } | null>(null);
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const [withdrawError, setWithdrawError] = useState<ApiError | null>(null);

  const reload = useCallback(
    (signal?: AbortSignal) =>
      api.getListing(id, signal).then(({ value, etag }) => {
        setLoad({ status: 'ok', listing: value, etag });
        return value;
      }),
    [api, id],
  );

  useEffect(() => {
    const ctrl = new AbortController();
    reload(ctrl.signal)
      .then((l) => setDraft(draftOf(l)))
      .catch((e: Error) => {
        if (e.name === 'AbortError') return;
        setLoad({ status: 'error', error: toApiError(e) });
      });
    return () => ctrl.abort();
  }, [reload]);

  const header = (title: string, listing?: Listing) => (
    <Header
      variant="h1"
      actions={
        listing?.status === 'active' && session ? (
          <Button onClick={() => setConfirmWithdraw(true)} data-testid="withdraw">
            {t('manage.withdraw')}
          </Button>
        ) : undefined
      }
    >
      {title}
    </Header>
  );
  const myListings = (
    <Link href="/me/listings" onFollow={(e) => followLink(e)}>
      {t('manage.all')}
    </Link>
  );

  if (!ready || load.status === 'loading') {
    return (
      <ContentLayout header={header(t('manage.title'))}>
        <Box textAlign="center" padding="l">
          <Spinner size="large" /> {t('page.loading')}
        </Box>
      </ContentLayout>
    );
  }
  if (load.status === 'error') {
    const gone = load.error.code === 'GONE' || load.error.status === 410;
    return (
      <ContentLayout header={header(t('manage.title'))}>
        <SpaceBetween size="m">
          <Alert type={gone ? 'info' : 'error'}>{gone ? t('manage.withdrawn') : describeError(load.error, i18n)}</Alert>
          {myListings}
        </SpaceBetween>
      </ContentLayout>
    );
  }
  if (!session) {
    return (
      <ContentLayout header={header(t('manage.title'))}>
        <Alert type="info" action={<Button onClick={() => void signIn()}>{t('auth.signIn')}</Button>}>
          {t('manage.signIn')}
        </Alert>
      </ContentLayout>
    );
  }

  const { listing, etag } = load;
  const shareUrl = shareUrlOf(listing);
  const sharePath = `/l/${listing.id}`;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(shareUrl);
      setCopied('ok');
    } catch {
      setCopied('failed');
    }
  };

  // save sends the seller's changes against the version they last saw (If-Match). Reapplying
  // after a stale edit sends only what the seller changed, so the other change stays where the
  // seller did not touch it.
  const save = async (baseTag: string | null, mine?: ListingPatch) => {
    if (!draft) return;
    const found = validateDraft(draft, false);
    setProblems(found);
    setError(null);
    setSaved(false);
    if (found.length > 0) return;
    const patch = mine ?? patchOf(listing, draft);
    if (Object.keys(patch).length === 0) {
      setConflict(null);
      setSaved(true);
      return;
    }
    setBusy(true);
    try {
      const { value, etag: next } = await api.updateListing(listing.id, patch, baseTag ?? '');
      setLoad({ status: 'ok', listing: value, etag: next });
      setDraft(draftOf(value));
      setConflict(null);
      setSaved(true);
    } catch (e) {
      const err = toApiError(e);
      if (err.status === 412) {
        // Someone (another tab, another device) changed it: read what it is now, keep the
        // seller's changes in the form, and let them decide.
        try {
          const now = await api.getListing(listing.id);
          setLoad({ status: 'ok', listing: now.value, etag: now.etag });
          setConflict({ now: now.value, mine: patch });
        } catch (e2) {
          setError(toApiError(e2));
        }
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const withdraw = async () => {
    setBusy(true);
    setWithdrawError(null);
    try {
      await api.withdrawListing(listing.id);
      setConfirmWithdraw(false);
      setLoad({ status: 'ok', listing: { ...listing, status: 'withdrawn' }, etag: null });
    } catch (e) {
      setWithdrawError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const general = error && !['priceEur', 'description', 'photos'].includes(formField(error.field) ?? '') ? describeError(error, i18n) : null;
  const active = listing.status === 'active';

  return (
    <ContentLayout header={header(listingTitle(listing, t('manage.title')), listing)}>
      <SpaceBetween size="l">
        {created && active && <Alert type="success">{t('manage.created')}</Alert>}
        {!active && <Alert type="info">{t('manage.withdrawn')}</Alert>}
        <Container header={<Header variant="h2">{t('manage.share.title')}</Header>}>
          <SpaceBetween size="s">
            <KeyValuePairs
              columns={2}
              items={[
                {
                  label: t('manage.status'),
                  value: active ? (
                    <StatusIndicator type="success">{t('listing.status.active')}</StatusIndicator>
                  ) : (
                    <StatusIndicator type="stopped">{t('listing.status.withdrawn')}</StatusIndicator>
                  ),
                },
                { label: t('manage.updated'), value: fmt.dateTime(listing.updatedAt) },
              ]}
            />
            {active && (
              <>
                <Box>{t('manage.share.body')}</Box>
                <SpaceBetween direction="horizontal" size="xs" alignItems="center">
                  <Link href={sharePath} onFollow={(e) => followLink(e)} data-testid="share-link">
                    {shareUrl}
                  </Link>
                  <Button iconName="copy" onClick={() => void copy()}>
                    {t('manage.copy')}
                  </Button>
                </SpaceBetween>
                <div aria-live="polite">
                  {copied === 'ok' && <StatusIndicator type="success">{t('manage.copied')}</StatusIndicator>}
                  {copied === 'failed' && <StatusIndicator type="warning">{t('manage.copyFailed')}</StatusIndicator>}
                </div>
              </>
            )}
          </SpaceBetween>
        </Container>

        {active && draft && (
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void save(etag);
            }}
          >
            <Container header={<Header variant="h2">{t('manage.edit.title')}</Header>}>
              <SpaceBetween size="m">
                {conflict && (
                  <div data-testid="stale-edit">
                    <Alert type="warning" header={t('manage.stale.title')}>
                      <SpaceBetween size="s">
                        <Box>{t('manage.stale.body')}</Box>
                        <KeyValuePairs
                          columns={3}
                          items={[
                            { label: t('sell.price.label'), value: fmt.money(conflict.now.priceEur, 'EUR') },
                            { label: t('sell.description.label'), value: <span className="listing-description">{conflict.now.description}</span> },
                            { label: t('sell.photos.label'), value: t('manage.stale.photos', { count: conflict.now.photos.length }) },
                          ]}
                        />
                        <SpaceBetween direction="horizontal" size="xs">
                          <Button variant="primary" formAction="none" loading={busy} onClick={() => void save(etag, conflict.mine)}>
                            {t('manage.stale.reapply')}
                          </Button>
                          <Button
                            formAction="none"
                            onClick={() => {
                              setDraft(draftOf(conflict.now));
                              setConflict(null);
                            }}
                          >
                            {t('manage.stale.discard')}
                          </Button>
                        </SpaceBetween>
                      </SpaceBetween>
                    </Alert>
                  </div>
                )}
                {saved && <Alert type="success">{t('manage.saved')}</Alert>}
                {general && <Alert type="error">{general}</Alert>}
                <ListingForm draft={draft} onChange={setDraft} problems={problems} error={error} withRegion={false} />
                {!conflict && (
                  <Button variant="primary" formAction="submit" loading={busy} data-testid="save-listing">
                    {t('manage.save')}
                  </Button>
                )}
              </SpaceBetween>
            </Container>
          </form>
        )}

        <section aria-labelledby="buyers-see">
          <SpaceBetween size="s">
            <Header variant="h2">
              <span id="buyers-see">{t('manage.buyersSee')}</span>
            </Header>
            <ListingView listing={listing} />
          </SpaceBetween>
        </section>
        {myListings}
      </SpaceBetween>
      <Modal
        visible={confirmWithdraw}
        onDismiss={() => setConfirmWithdraw(false)}
        header={t('manage.withdraw.title')}
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setConfirmWithdraw(false)}>
                {t('manage.withdraw.keep')}
              </Button>
              <Button variant="primary" loading={busy} onClick={() => void withdraw()} data-testid="confirm-withdraw">
                {t('manage.withdraw.confirm')}
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        <SpaceBetween size="s">
          <Box>{t('manage.withdraw.body')}</Box>
          {withdrawError && <Alert type="error">{describeError(withdrawError, i18n)}</Alert>}
        </SpaceBetween>
      </Modal>
    </ContentLayout>
  );
}
