// The dealer's market view of a VIN (GET /vehicles/{vin}/market): the asking prices of the same
// model and model year in listings and dealer stock, to price a trade-in.
import { useEffect, useState } from 'react';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Container from '@cloudscape-design/components/container';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Table from '@cloudscape-design/components/table';
import Spinner from '@cloudscape-design/components/spinner';
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import Box from '@cloudscape-design/components/box';
import { ApiError, toApiError, type MarketView } from '../api/client';
import { describeError } from '../api/errors';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n';
import { navigate, type PageProps } from '../router';
import { useSite } from '../site';
import { VinForm } from '../components/VinForm';
import { DealerForbidden, DealerSignIn } from '../components/DealerAccess';
import { PriceRange, type Prices } from '../components/PriceRange';
import { euros } from '../components/euros';

/** Below this many prices the page warns that the figures say little. */
export const FEW_PRICES = 5;

type State =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ok'; market: MarketView }
  | { status: 'error'; error: ApiError };

/** fullPrices is the statistics when all five figures are there; the API sends only count when there are no prices. */
export function fullPrices(p: MarketView['prices']): Prices | null {
  const { minEur, q1Eur, medianEur, q3Eur, maxEur } = p;
  if (p.count < 1 || minEur === undefined || q1Eur === undefined || medianEur === undefined || q3Eur === undefined || maxEur === undefined) {
    return null;
  }
  return { minEur, q1Eur, medianEur, q3Eur, maxEur };
}

export default function MarketPage({ params }: PageProps) {
  const vin = (params.vin ?? '').toUpperCase();
  const i18n = useI18n();
  const { t } = i18n;
  const { api } = useSite();
  const { session, ready, signOut } = useAuth();
  const [state, setState] = useState<State>({ status: 'idle' });
  const [attempt, setAttempt] = useState(0);
  const token = session?.accessToken ?? null;

  useEffect(() => {
    if (!token || !vin) {
      setState({ status: 'idle' });
      return;
    }
    const ctrl = new AbortController();
    setState({ status: 'loading' });
    api
      .getMarket(vin, ctrl.signal)
      .then((market) => setState({ status: 'ok', market }))
      .catch((e: Error) => {
        if (e.name === 'AbortError') return;
        if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
          void signOut();
          return;
        }
        setState({ status: 'error', error: toApiError(e) });
      });
    return () => ctrl.abort();
  }, [api, vin, token, attempt, signOut]);

  const header = (
    <Header variant="h1" description={t('market.intro')}>
      {t('market.title')}
    </Header>
  );
  if (!ready) return <ContentLayout header={header}><Spinner size="large" /></ContentLayout>;
  if (!session) return <ContentLayout header={header}><DealerSignIn /></ContentLayout>;
  if (state.status === 'error' && state.error.code === 'FORBIDDEN') {
    return <ContentLayout header={header}><DealerForbidden /></ContentLayout>;
  }

  const vinError = state.status === 'error' && state.error.field === 'vin' ? describeError(state.error, i18n) : undefined;
  return (
    <ContentLayout header={header}>
      <SpaceBetween size="l">
        <Container>
          <VinForm
            key={vin + (vinError ?? '')}
            initial={vin}
            serverError={vinError}
            submitLabel={t('market.submit')}
            onSubmit={(v) => navigate(`/dealer/market/${v}`)}
          />
        </Container>
        {state.status === 'loading' && (
          <Container>
            <Box textAlign="center" padding="l" data-testid="market-loading">
              <Spinner size="large" /> <Box variant="p">{t('market.loading')}</Box>
            </Box>
          </Container>
        )}
        {state.status === 'error' && !vinError && (
          state.error.code === 'NOT_FOUND' ? (
            <Alert type="info" header={t('report.notFound.title')}>
              {t('market.notFound')}
            </Alert>
          ) : (
            <Alert type="error" header={t('market.failed')} action={<Button onClick={() => setAttempt((a) => a + 1)}>{t('dealer.retry')}</Button>}>
              {describeError(state.error, i18n)}
            </Alert>
          )
        )}
        {state.status === 'ok' && <MarketResult market={state.market} vin={vin} />}
      </SpaceBetween>
    </ContentLayout>
  );

}

function MarketResult({ market, vin }: { market: MarketView; vin: string }) {
  const { t, fmt, locale } = useI18n();
  const car = [market.vehicle.make, market.vehicle.model, market.vehicle.modelYear].filter((v) => v !== undefined && v !== '').join(' ') || vin;
  const prices = fullPrices(market.prices);
  const money = (v: number) => euros(locale.tag, v);
  return (
    <SpaceBetween size="l">
      {market.stock === 'unavailable' && <Alert type="warning">{t('market.stockDown')}</Alert>}
      <Container
        header={
          <Header variant="h2" description={t('market.prices.basis', { count: market.prices.count })}>
            {t('market.prices.title', { car })}
          </Header>
        }
      >
        {prices ? (
          <SpaceBetween size="l">
            <ColumnLayout columns={3} variant="text-grid" minColumnWidth={140}>
              {(
                [
                  ['count', t('market.count'), fmt.number(market.prices.count)],
                  ['min', t('market.min'), money(prices.minEur)],
                  ['q1', t('market.q1'), money(prices.q1Eur)],
                  ['median', t('market.median'), money(prices.medianEur)],
                  ['q3', t('market.q3'), money(prices.q3Eur)],
                  ['max', t('market.max'), money(prices.maxEur)],
                ] as const
              ).map(([id, name, value]) => (
                <div key={id} data-stat={id}>
                  <Box variant="awsui-key-label">{name}</Box>
                  <Box variant="awsui-value-large">{value}</Box>
                </div>
              ))}
            </ColumnLayout>
            <PriceRange prices={prices} />
            {market.prices.count < FEW_PRICES && <Alert type="info">{t('market.few')}</Alert>}
          </SpaceBetween>
        ) : (
          <Box data-testid="market-not-enough">
            <Box variant="h3" tagOverride="p">
              {t('market.notEnough.title')}
            </Box>
            <Box variant="p" color="text-body-secondary">
              {t('market.notEnough.body', { car })}
            </Box>
          </Box>
        )}
      </Container>
      {market.items.length > 0 && (
        <Table
          header={<Header variant="h2" counter={`(${fmt.number(market.items.length)})`}>{t('market.items.title')}</Header>}
          variant="container"
          items={market.items}
          trackBy="itemId"
          columnDefinitions={[
            {
              id: 'car',
              header: t('stock.car'),
              cell: (c) => [c.make, c.model, c.variant, c.modelYear].filter(Boolean).join(' '),
              isRowHeader: true,
            },
            { id: 'km', header: t('market.km'), cell: (c) => fmt.km(c.odometerKm) },
            { id: 'price', header: t('stock.price'), cell: (c) => money(c.priceEur) },
            {
              id: 'kind',
              header: t('market.kind'),
              cell: (c) =>
                c.kind === 'stock'
                  ? [t('market.kind.stock'), c.dealer?.name, c.dealer?.city].filter(Boolean).join(', ')
                  : t('market.kind.listing'),
            },
          ]}
        />
      )}
    </SpaceBetween>
  );
}
