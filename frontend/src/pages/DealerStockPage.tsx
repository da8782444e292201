// The dealer's surfaced stock: which of their stock cars buyers were shown beside listings, and
// how often they clicked through, over the last 30 days (GET /dealer/stock/surfaced).
import { useEffect, useMemo, useState } from 'react';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Container from '@cloudscape-design/components/container';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Table from '@cloudscape-design/components/table';
import BarChart from '@cloudscape-design/components/bar-chart';
import Spinner from '@cloudscape-design/components/spinner';
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import Box from '@cloudscape-design/components/box';
import { ApiError, toApiError, type SurfacedCar, type SurfacedStock } from '../api/client';
import { describeError } from '../api/errors';
import { useAuth } from '../auth/auth';
import { useI18n, type I18n } from '../i18n';
import { useSite } from '../site';
import { DealerForbidden, DealerSignIn } from '../components/DealerAccess';
import { euros } from '../components/euros';

/** The chart shows this many cars, most impressions first; the table below has them all. */
export const CHART_CARS = 10;

type State = { status: 'loading' } | { status: 'ok'; stock: SurfacedStock } | { status: 'error'; error: ApiError };

export function carName(c: SurfacedCar): string {
  return [c.make, c.model, c.modelYear].filter((v) => v !== undefined && v !== '').join(' ') || c.itemId;
}

export function totals(cars: SurfacedCar[]): { cars: number; impressions: number; clicks: number } {
  return cars.reduce(
    (acc, c) => ({ cars: acc.cars + 1, impressions: acc.impressions + c.impressions, clicks: acc.clicks + c.clicks }),
    { cars: 0, impressions: 0, clicks: 0 },
  );
}

function lastShown(c: SurfacedCar): string | undefined {
  return c.days
    .filter((d) => d.impressions > 0)
    .map((d) => d.date)
    .sort()
    .pop();
}

function percent(i18n: I18n, part: number, whole: number): string {
  if (whole === 0) return '–';
  return new Intl.NumberFormat(i18n.locale.tag, { style: 'percent', maximumFractionDigits: 1 }).format(part / whole);
}

export default function DealerStockPage() {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const { api } = useSite();
  const { session, ready, signOut } = useAuth();
  const [state, setState] = useState<State>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const token = session?.accessToken ?? null;

  useEffect(() => {
    if (!token) return;
    const ctrl = new AbortController();
    setState({ status: 'loading' });
    api
      .getSurfacedStock(ctrl.signal)
      .then((stock) => setState({ status: 'ok', stock }))
      .catch((e: Error) => {
        if (e.name === 'AbortError') return;
        // An expired token: forget it, and the page asks to sign in again.
        if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
          void signOut();
          return;
        }
        setState({ status: 'error', error: toApiError(e) });
      });
    return () => ctrl.abort();
  }, [api, token, attempt, signOut]);

  const stock = state.status === 'ok' ? state.stock : null;
  const sorted = useMemo(
    () => [...(stock?.cars ?? [])].sort((a, b) => b.impressions - a.impressions || b.clicks - a.clicks),
    [stock],
  );
  // Categories of the chart: the rank keeps two cars of the same model and year apart.
  const label = (c: SurfacedCar) => `${sorted.indexOf(c) + 1}. ${carName(c)}`;

  const header = (
    <Header
      variant="h1"
      description={stock ? t('stock.description', { from: fmt.date(stock.firstDay), to: fmt.date(stock.lastDay) }) : undefined}
    >
      {t('stock.title')}
    </Header>
  );

  let body;
  if (!ready) {
    body = <Spinner size="large" />;
  } else if (!session) {
    body = <DealerSignIn />;
  } else if (state.status === 'loading') {
    body = (
      <Container>
        <Box textAlign="center" padding="l" data-testid="stock-loading">
          <Spinner size="large" /> <Box variant="p">{t('stock.loading')}</Box>
        </Box>
      </Container>
    );
  } else if (state.status === 'error') {
    body =
      state.error.code === 'FORBIDDEN' ? (
        <DealerForbidden />
      ) : (
        <Alert type="error" header={t('stock.failed')} action={<Button onClick={() => setAttempt((a) => a + 1)}>{t('dealer.retry')}</Button>}>
          {describeError(state.error, i18n)}
        </Alert>
      );
  } else if (sorted.length === 0) {
    body = (
      <Container>
        <Box textAlign="center" padding="l" data-testid="stock-empty">
          <Box variant="h2" tagOverride="p">
            {t('stock.empty.title')}
          </Box>
          <Box variant="p" color="text-body-secondary">
            {t('stock.empty.body')}
          </Box>
        </Box>
      </Container>
    );
  } else {
    const sum = totals(sorted);
    const top = sorted.slice(0, CHART_CARS);
    body = (
      <SpaceBetween size="l">
        <Container header={<Header variant="h2">{t('stock.totals')}</Header>}>
          <ColumnLayout columns={4} variant="text-grid">
            {[
              ['cars', t('stock.cars'), fmt.number(sum.cars)],
              ['impressions', t('stock.impressions'), fmt.number(sum.impressions)],
              ['clicks', t('stock.clicks'), fmt.number(sum.clicks)],
              ['rate', t('stock.clickRate'), percent(i18n, sum.clicks, sum.impressions)],
            ].map(([id, name, value]) => (
              <div key={id} data-total={id}>
                <Box variant="awsui-key-label">{name}</Box>
                <Box variant="awsui-value-large">{value}</Box>
              </div>
            ))}
          </ColumnLayout>
        </Container>
        <Container
          header={
            <Header variant="h2" description={sorted.length > CHART_CARS ? t('stock.chart.top', { count: CHART_CARS }) : undefined}>
              {t('stock.chart.title')}
            </Header>
          }
        >
          <div data-testid="stock-chart">
            <BarChart
              series={[
                {
                  title: t('stock.impressions'),
                  type: 'bar',
                  data: top.map((c) => ({ x: label(c), y: c.impressions })),
                  valueFormatter: (v: number) => fmt.number(v),
                },
                {
                  title: t('stock.clicks'),
                  type: 'bar',
                  data: top.map((c) => ({ x: label(c), y: c.clicks })),
                  valueFormatter: (v: number) => fmt.number(v),
                },
              ]}
              xScaleType="categorical"
              horizontalBars
              ariaLabel={t('stock.chart.label')}
              xTitle={t('stock.chart.car')}
              yTitle={t('stock.chart.count')}
              // Counts are whole: no label on the fractional ticks a small scale gets.
              i18nStrings={{ yTickFormatter: (v) => (Number.isInteger(v) ? fmt.number(v) : '') }}
              height={Math.max(160, top.length * 48)}
              hideFilter
            />
          </div>
        </Container>
        <Table
          header={<Header variant="h2" counter={`(${fmt.number(sorted.length)})`}>{t('stock.table.title')}</Header>}
          variant="container"
          items={sorted}
          trackBy="itemId"
          columnDefinitions={[
            { id: 'car', header: t('stock.car'), cell: (c) => label(c), isRowHeader: true },
            { id: 'price', header: t('stock.price'), cell: (c) => (c.priceEur !== undefined ? euros(i18n.locale.tag, c.priceEur) : '–') },
            { id: 'impressions', header: t('stock.impressions'), cell: (c) => fmt.number(c.impressions) },
            { id: 'clicks', header: t('stock.clicks'), cell: (c) => fmt.number(c.clicks) },
            { id: 'rate', header: t('stock.clickRate'), cell: (c) => percent(i18n, c.clicks, c.impressions) },
            {
              id: 'last',
              header: t('stock.lastShown'),
              cell: (c) => {
                const d = lastShown(c);
                return d ? fmt.date(d) : '–';
              },
            },
          ]}
        />
      </SpaceBetween>
    );
  }

  return <ContentLayout header={header}>{body}</ContentLayout>;
}
