// The after-sales offers on the vehicle page, for its owner (GET /vehicles/{vin}/offers): service
// plans, accessories and financing, each with its freshness. The offers system is slow and may be
// down; the API then still answers with stale or unavailable sections, and so does this part.
import { useEffect, useState } from 'react';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Spinner from '@cloudscape-design/components/spinner';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import { ApiError, toApiError, type Offer, type OfferSection, type VehicleOffers } from '../api/client';
import { describeError } from '../api/errors';
import { useI18n, type I18n } from '../i18n';
import { useSite } from '../site';
import { FreshnessBadge } from './Section';

export const OFFER_KINDS = ['servicePlans', 'accessories', 'financing'] as const;
type Kind = (typeof OFFER_KINDS)[number];

type State = { status: 'loading' } | { status: 'ok'; offers: VehicleOffers } | { status: 'error'; error: ApiError };

function money(i18n: I18n, cents: number, currency: string): string {
  return i18n.fmt.money(cents / 100, currency);
}

/** financingTerms says a financing offer in one sentence: rate, term, down payment and APR. */
export function financingTerms(o: Offer, i18n: I18n): string {
  const f = o.financing;
  if (!f) return '–';
  const apr = new Intl.NumberFormat(i18n.locale.tag, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
    f.aprBasisPoints / 10000,
  );
  return i18n.t('offers.financing.summary', {
    monthly: money(i18n, f.monthlyRateCents, o.currency),
    months: i18n.fmt.number(f.termMonths),
    down: money(i18n, f.downPaymentCents, o.currency),
    apr,
  });
}

function KindBlock({ kind, section }: { kind: Kind; section: OfferSection }) {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const title = t(`offers.${kind}`);
  const offers = section.offers;
  return (
    <div data-offers={kind} data-freshness={section.freshness}>
      <SpaceBetween size="xs">
        <Header variant="h3" actions={<FreshnessBadge section={section} />}>
          {title}
        </Header>
        {section.freshness === 'unavailable' || offers === undefined ? (
          <Box color="text-body-secondary">{t('offers.unavailable')}</Box>
        ) : (
          <>
            {section.freshness === 'stale' && (
              <Alert type="warning">{t('offers.stale', { date: section.fetchedAt ? fmt.dateTime(section.fetchedAt) : '?' })}</Alert>
            )}
            {offers.length === 0 ? (
              <Box color="text-body-secondary">{t('offers.none')}</Box>
            ) : (
              <Table
                variant="embedded"
                ariaLabels={{ tableLabel: title }}
                items={offers}
                trackBy="id"
                columnDefinitions={[
                  {
                    id: 'offer',
                    header: t('offers.offer'),
                    isRowHeader: true,
                    cell: (o) => (
                      <>
                        <Box fontWeight="bold">{o.title}</Box>
                        <Box variant="small">
                          {o.description}
                          {o.durationMonths ? ` · ${t('offers.duration', { count: o.durationMonths })}` : ''}
                        </Box>
                      </>
                    ),
                  },
                  kind === 'financing'
                    ? { id: 'price', header: t('offers.financing.amount'), cell: (o) => money(i18n, o.priceCents, o.currency) }
                    : { id: 'price', header: t('offers.price'), cell: (o) => money(i18n, o.priceCents, o.currency) },
                  ...(kind === 'financing'
                    ? [{ id: 'terms', header: t('offers.financing.terms'), cell: (o: Offer) => financingTerms(o, i18n) }]
                    : []),
                  { id: 'valid', header: t('offers.validUntil'), cell: (o) => fmt.date(o.validUntil) },
                ]}
              />
            )}
          </>
        )}
      </SpaceBetween>
    </div>
  );
}

/** OffersSection asks for the car's offers and shows the sections the caller may see. */
export function OffersSection({ vin, token }: { vin: string; token: string | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { api } = useSite();
  const [state, setState] = useState<State>({ status: 'loading' });

  useEffect(() => {
    const ctrl = new AbortController();
    setState({ status: 'loading' });
    api
      .getOffers(vin, ctrl.signal)
      .then((offers) => setState({ status: 'ok', offers }))
      .catch((e: Error) => {
        if (e.name === 'AbortError') return;
        setState({ status: 'error', error: toApiError(e) });
      });
    return () => ctrl.abort();
    // The token decides which sections come back (owner or public).
  }, [api, vin, token]);

  return (
    <section aria-labelledby="offers-title" data-section="offers">
      <Container
        header={
          <Header variant="h2" description={t('offers.description')}>
            <span id="offers-title">{t('offers.title')}</span>
          </Header>
        }
      >
        {state.status === 'loading' ? (
          <Box data-testid="offers-loading">
            <Spinner /> {t('offers.loading')}
          </Box>
        ) : state.status === 'error' ? (
          <Alert type="error" header={t('offers.failed')}>
            {describeError(state.error, i18n)}
          </Alert>
        ) : (
          <SpaceBetween size="l">
            {OFFER_KINDS.map((k) => {
              const section = state.offers[k];
              return section ? <KindBlock key={k} kind={k} section={section} /> : null;
            })}
          </SpaceBetween>
        )}
      </Container>
    </section>
  );
}
