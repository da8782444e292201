// The share page /l/{id}: public, no sign-in. The listing with its verified facts, similar cars
// (a click on a dealer car is counted, then the dealer's page opens) and financing offers.
import { useEffect, useState } from 'react';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Container from '@cloudscape-design/components/container';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Spinner from '@cloudscape-design/components/spinner';
import Button from '@cloudscape-design/components/button';
import Link from '@cloudscape-design/components/link';
import Badge from '@cloudscape-design/components/badge';
import Cards from '@cloudscape-design/components/cards';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { ApiError, toApiError, type Listing, type ListingOffers, type SimilarCars, type SimilarItem } from '../api/client';
import { describeError } from '../api/errors';
import { useI18n } from '../i18n';
import { followLink, navigate, type PageProps } from '../router';
import { useSite } from '../site';
import { ListingView, listingTitle } from '../listings/ListingView';

type Load<T> = { status: 'loading' } | { status: 'ok'; value: T } | { status: 'error'; error: ApiError };

function useLoad<T>(f: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Load<T> {
  const [state, setState] = useState<Load<T>>({ status: 'loading' });
  useEffect(() => {
    const ctrl = new AbortController();
    setState({ status: 'loading' });
    f(ctrl.signal)
      .then((value) => setState({ status: 'ok', value }))
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setState({ status: 'error', error: toApiError(e) });
      });
    return () => ctrl.abort();
  }, deps);
  return state;
}

function SimilarSection({ id, similar }: { id: string; similar: Load<SimilarCars> }) {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const { api } = useSite();
  const [clickError, setClickError] = useState<ApiError | null>(null);
  const [opening, setOpening] = useState<string | null>(null);

  const open = async (item: SimilarItem) => {
    if (item.kind === 'listing') {
      navigate(`/l/${item.itemId}`);
      return;
    }
    setOpening(item.itemId);
    setClickError(null);
    try {
      const { dealerUrl } = await api.clickSimilarCar(id, item.itemId);
      // Only a web page: a dealer URL is data, and a javascript: URL must never run.
      if (/^https?:\/\//i.test(dealerUrl)) window.location.assign(dealerUrl);
    } catch (e) {
      setClickError(toApiError(e));
    } finally {
      setOpening(null);
    }
  };

  const header = (
    <Header variant="h2" description={t('share.similar.description')}>
      <span id="similar-title">{t('share.similar.title')}</span>
    </Header>
  );
  let body;
  if (similar.status === 'loading') body = <StatusIndicator type="loading">{t('page.loading')}</StatusIndicator>;
  else if (similar.status === 'error') body = <Alert type="error">{describeError(similar.error, i18n)}</Alert>;
  else
    body = (
      <SpaceBetween size="s">
        {similar.value.stock === 'unavailable' && <Alert type="warning">{t('share.similar.stockDown')}</Alert>}
        {clickError && <Alert type="error">{describeError(clickError, i18n)}</Alert>}
        <Cards
          ariaLabels={{ itemSelectionLabel: () => '', selectionGroupLabel: '' }}
          items={similar.value.items}
          trackBy="itemId"
          empty={<Box color="text-body-secondary">{t('share.similar.none')}</Box>}
          cardDefinition={{
            header: (item) => [item.make, item.model, item.variant, item.modelYear].filter(Boolean).join(' '),
            sections: [
              {
                id: 'price',
                content: (item) => (
                  <SpaceBetween size="xxs">
                    <Box variant="strong">{fmt.money(item.priceEur, 'EUR')}</Box>
                    <Box>{fmt.km(item.odometerKm)}</Box>
                  </SpaceBetween>
                ),
              },
              {
                id: 'score',
                content: (item) => (
                  <SpaceBetween size="xxs">
                    <Badge color={item.score >= 70 ? 'green' : 'grey'}>{t('share.similar.score', { score: item.score })}</Badge>
                    <ul className="demo-list" data-testid="similar-reasons">
                      {item.reasons.map((r) => (
                        <li key={r}>{r}</li>
                      ))}
                    </ul>
                  </SpaceBetween>
                ),
              },
              {
                id: 'where',
                content: (item) =>
                  item.kind === 'stock' ? (
                    <SpaceBetween size="xxs">
                      <Box color="text-body-secondary">
                        {t('share.similar.dealer', { name: item.dealer?.name ?? '?', city: item.dealer?.city ?? '' })}
                      </Box>
                      <Button onClick={() => void open(item)} loading={opening === item.itemId} data-testid={`similar-${item.itemId}`}>
                        {t('share.similar.openDealer')}
                      </Button>
                    </SpaceBetween>
                  ) : (
                    <Link href={`/l/${item.itemId}`} onFollow={(e) => followLink(e)}>
                      {t('share.similar.openListing')}
                    </Link>
                  ),
              },
            ],
          }}
        />
      </SpaceBetween>
    );
  return (
    <section aria-labelledby="similar-title" data-testid="similar-cars">
      <Container header={header}>{body}</Container>
    </section>
  );
}

function OffersSection({ offers }: { offers: Load<ListingOffers> }) {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  let body;
  if (offers.status === 'loading') body = <StatusIndicator type="loading">{t('page.loading')}</StatusIndicator>;
  else if (offers.status === 'error') body = <Alert type="error">{describeError(offers.error, i18n)}</Alert>;
  else {
    const f = offers.value.financing;
    const source = t(`source.${f.source}`);
    if (f.freshness === 'unavailable' || !f.offers) body = <Box color="text-body-secondary">{t('share.offers.unavailable', { source })}</Box>;
    else
      body = (
        <SpaceBetween size="s">
          {f.freshness === 'stale' && (
            <Alert type="warning">
              {t('share.offers.stale', { date: f.fetchedAt ? fmt.dateTime(f.fetchedAt) : '?' })}
            </Alert>
          )}
          {f.offers.length === 0 && <Box color="text-body-secondary">{t('share.offers.none')}</Box>}
          {f.offers.map((o) => (
            <div key={o.id} data-testid="offer">
              <Box variant="h3" tagOverride="h3">
                {o.title}
              </Box>
              <Box>{o.description}</Box>
              {o.financing && (
                <Box>
                  {t('share.offers.financing', {
                    monthly: fmt.money(o.financing.monthlyRateCents / 100, o.currency),
                    months: o.financing.termMonths,
                    apr: fmt.number(o.financing.aprBasisPoints / 100),
                    down: fmt.money(o.financing.downPaymentCents / 100, o.currency),
                    amount: fmt.money(o.priceCents / 100, o.currency),
                  })}
                </Box>
              )}
              <Box variant="small" color="text-body-secondary">
                {t('share.offers.validUntil', { date: fmt.date(o.validUntil) })}
              </Box>
            </div>
          ))}
          <Box variant="small" color="text-body-secondary">
            {t('section.source', { source })}
            {f.fetchedAt ? ` · ${t('listing.fact.fetched', { date: fmt.dateTime(f.fetchedAt) })}` : ''}
          </Box>
        </SpaceBetween>
      );
  }
  return (
    <section aria-labelledby="offers-title" data-testid="offers">
      <Container
        header={
          <Header variant="h2">
            <span id="offers-title">{t('share.offers.title')}</span>
          </Header>
        }
      >
        {body}
      </Container>
    </section>
  );
}

export default function SharePage({ params }: PageProps) {
  const id = params.id ?? '';
  const i18n = useI18n();
  const { t } = i18n;
  const { api, config } = useSite();
  const listing = useLoad<Listing>((s) => api.getListing(id, s).then((r) => r.value), [api, id]);
  const similar = useLoad<SimilarCars>((s) => api.similarCars(id, s), [api, id]);
  const offers = useLoad<ListingOffers | null>((s) => (config.features.offers ? api.listingOffers(id, s) : Promise.resolve(null)), [api, id, config]);

  if (listing.status === 'loading') {
    return (
      <ContentLayout header={<Header variant="h1">{t('share.title')}</Header>}>
        <Box textAlign="center" padding="l">
          <Spinner size="large" /> {t('page.loading')}
        </Box>
      </ContentLayout>
    );
  }
  if (listing.status === 'error') {
    const e = listing.error;
    const kind = e.status === 410 ? 'gone' : e.status === 404 || e.status === 400 ? 'unknown' : null;
    return (
      <ContentLayout header={<Header variant="h1">{kind ? t(`share.${kind}.title`) : t('share.title')}</Header>}>
        <SpaceBetween size="m">
          <Alert type={kind ? 'info' : 'error'}>{kind ? t(`share.${kind}.body`) : describeError(e, i18n)}</Alert>
          <Link href="/" onFollow={(ev) => followLink(ev)}>
            {t('share.lookup')}
          </Link>
        </SpaceBetween>
      </ContentLayout>
    );
  }
  const l = listing.value;
  return (
    <ContentLayout header={<Header variant="h1" description={t('share.intro')}>{listingTitle(l, t('listing.untitled'))}</Header>}>
      <SpaceBetween size="l">
        <ListingView listing={l} />
        <SimilarSection id={l.id} similar={similar} />
        {offers.status !== 'ok' || offers.value ? (
          <OffersSection offers={offers as Load<ListingOffers>} />
        ) : null}
      </SpaceBetween>
    </ContentLayout>
  );
}
