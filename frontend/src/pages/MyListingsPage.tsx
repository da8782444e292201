// "My listings": the signed-in consumer's listings, newest first, withdrawn ones included.
import { useEffect, useState } from 'react';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Table from '@cloudscape-design/components/table';
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import Box from '@cloudscape-design/components/box';
import Link from '@cloudscape-design/components/link';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { ApiError, toApiError, type Listing } from '../api/client';
import { describeError } from '../api/errors';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n';
import { followLink } from '../router';
import { useSite } from '../site';
import { listingTitle } from '../listings/ListingView';

type Load = { status: 'loading' } | { status: 'ok'; listings: Listing[] } | { status: 'error'; error: ApiError };

export default function MyListingsPage() {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const { api } = useSite();
  const { session, ready, signIn } = useAuth();
  const token = session?.accessToken ?? null;
  const [load, setLoad] = useState<Load>({ status: 'loading' });

  useEffect(() => {
    if (!token) return;
    const ctrl = new AbortController();
    setLoad({ status: 'loading' });
    api
      .myListings(ctrl.signal)
      .then((r) => setLoad({ status: 'ok', listings: r.listings }))
      .catch((e: Error) => {
        if (e.name === 'AbortError') return;
        setLoad({ status: 'error', error: toApiError(e) });
      });
    return () => ctrl.abort();
  }, [api, token]);

  const header = <Header variant="h1">{t('my.title')}</Header>;
  if (ready && !session) {
    return (
      <ContentLayout header={header}>
        <Alert type="info" action={<Button onClick={() => void signIn()}>{t('auth.signIn')}</Button>}>
          {t('my.signIn')}
        </Alert>
      </ContentLayout>
    );
  }
  if (load.status === 'error') {
    return (
      <ContentLayout header={header}>
        <Alert type="error">{describeError(load.error, i18n)}</Alert>
      </ContentLayout>
    );
  }
  return (
    <ContentLayout header={header}>
      <Table
        variant="container"
        loading={!ready || load.status === 'loading'}
        loadingText={t('page.loading')}
        items={load.status === 'ok' ? load.listings : []}
        trackBy="id"
        ariaLabels={{ tableLabel: t('my.title') }}
        empty={
          <Box textAlign="center" color="text-body-secondary" padding="m">
            {t('my.empty')}
          </Box>
        }
        columnDefinitions={[
          {
            id: 'car',
            header: t('my.col.car'),
            cell: (l) => (
              <Link href={`/me/listings/${l.id}`} onFollow={(e) => followLink(e)}>
                {listingTitle(l, t('listing.untitled'))}
              </Link>
            ),
          },
          { id: 'price', header: t('my.col.price'), cell: (l) => fmt.money(l.priceEur, 'EUR') },
          {
            id: 'status',
            header: t('my.col.status'),
            cell: (l) =>
              l.status === 'active' ? (
                <StatusIndicator type="success">{t('listing.status.active')}</StatusIndicator>
              ) : (
                <StatusIndicator type="stopped">{t('listing.status.withdrawn')}</StatusIndicator>
              ),
          },
          { id: 'created', header: t('my.col.created'), cell: (l) => fmt.date(l.createdAt) },
          {
            id: 'share',
            header: t('my.col.share'),
            cell: (l) =>
              l.status === 'active' ? (
                <Link href={`/l/${l.id}`} onFollow={(e) => followLink(e)}>
                  {t('my.open')}
                </Link>
              ) : (
                '—'
              ),
          },
        ]}
      />
    </ContentLayout>
  );
}
