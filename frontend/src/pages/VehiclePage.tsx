import { useEffect, useState } from 'react';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Link from '@cloudscape-design/components/link';
import { ApiError, toApiError, traceRoot, type OwnershipGrant, type Report } from '../api/client';
import { describeError } from '../api/errors';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n';
import { followLink, navigate, type PageProps } from '../router';
import { useSite } from '../site';
import { VinForm } from '../components/VinForm';
import { OwnershipPanel } from '../components/OwnershipPanel';
import { OffersSection } from '../components/OffersSection';
import {
  BuildSection,
  OdometerSection,
  OwnerSection,
  RecallSection,
  RegistrationSection,
  ServiceSection,
} from '../components/ReportSections';

/** After this long the page says that slow legacy systems are still being asked. */
export const SLOW_AFTER_MS = 2500;

type State =
  | { status: 'loading' }
  | { status: 'ok'; report: Report; trace: string | null }
  | { status: 'error'; error: ApiError };

export default function VehiclePage({ params }: PageProps) {
  const vin = (params.vin ?? '').toUpperCase();
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const { api, config } = useSite();
  const { session, signOut } = useAuth();
  const [state, setState] = useState<State>({ status: 'loading' });
  const [slow, setSlow] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [grant, setGrant] = useState<OwnershipGrant | null>(null);
  const token = session?.accessToken ?? null;

  useEffect(() => {
    const ctrl = new AbortController();
    setState({ status: 'loading' });
    setSlow(false);
    const timer = setTimeout(() => setSlow(true), SLOW_AFTER_MS);
    let trace: string | null = null;
    api
      .getReport(vin, ctrl.signal, (h) => {
        trace = traceRoot(h.get('X-Amzn-Trace-Id'));
      })
      .then((report) => setState({ status: 'ok', report, trace }))
      .catch((e: Error) => {
        if (e.name === 'AbortError') return;
        // An expired or revoked token: forget it; the effect runs again, anonymously.
        if (e instanceof ApiError && e.code === 'UNAUTHENTICATED' && token) {
          void signOut();
          return;
        }
        setState({ status: 'error', error: toApiError(e) });
      })
      .finally(() => clearTimeout(timer));
    return () => {
      ctrl.abort();
      clearTimeout(timer);
    };
    // The token is a dependency: signing in or proving ownership changes what the API shows.
  }, [api, vin, token, attempt, signOut]);

  if (state.status === 'loading') {
    return (
      <ContentLayout header={<Header variant="h1">{vin}</Header>}>
        <Container>
          <Box textAlign="center" padding="l" data-testid="report-loading">
            <Spinner size="large" /> <Box variant="p">{t('report.loading')}</Box>
            {slow && <Box variant="p" color="text-body-secondary">{t('report.slow')}</Box>}
          </Box>
        </Container>
      </ContentLayout>
    );
  }

  if (state.status === 'error') {
    const err = state.error;
    if (err.field === 'vin') {
      return (
        <ContentLayout header={<Header variant="h1">{t('lookup.title')}</Header>}>
          <Container>
            <VinForm key={vin} initial={vin} serverError={describeError(err, i18n)} onSubmit={(v) => navigate(`/vehicles/${v}`)} />
          </Container>
        </ContentLayout>
      );
    }
    const notFound = err.code === 'NOT_FOUND';
    return (
      <ContentLayout header={<Header variant="h1">{vin}</Header>}>
        <Alert
          type={notFound ? 'info' : 'error'}
          header={notFound ? t('report.notFound.title') : t('report.failed.title')}
          action={
            notFound ? (
              <Button href="/" onFollow={(e) => followLink(e)}>
                {t('report.another')}
              </Button>
            ) : (
              <Button onClick={() => setAttempt((a) => a + 1)}>{t('report.retry')}</Button>
            )
          }
        >
          {notFound ? t('report.notFound.body') : describeError(err, i18n)}
        </Alert>
      </ContentLayout>
    );
  }

  const { report } = state;
  const build = report.build?.data;
  const title = build ? `${build.make} ${build.model} ${build.modelYear}` : [report.make, report.modelYear].filter(Boolean).join(' ') || vin;
  const owner = report.access === 'owner';
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description={
            <>
              <span className="vin">{report.vin}</span> · {owner ? t('report.view.owner') : t('report.view.publicHint')}
            </>
          }
          actions={
            <SpaceBetween direction="horizontal" size="xs" alignItems="center">
              <Badge color={owner ? 'green' : 'grey'}>{owner ? t('report.view.owner') : t('report.view.public')}</Badge>
              {owner && config.features.listings && (
                <Button variant="primary" href={`/vehicles/${report.vin}/sell`} onFollow={(e) => followLink(e)}>
                  {t('sell.action')}
                </Button>
              )}
            </SpaceBetween>
          }
        >
          {title}
        </Header>
      }
    >
      <SpaceBetween size="l">
        {grant && owner && (
          <Alert type="success" dismissible onDismiss={() => setGrant(null)}>
            {t('ownership.proven', { date: fmt.dateTime(grant.grantExpiresAt) })}
          </Alert>
        )}
        {!owner && (
          <OwnershipPanel
            vin={report.vin}
            onProven={(g) => {
              setGrant(g);
              setAttempt((a) => a + 1);
            }}
          />
        )}
        {owner && config.features.offers && <OffersSection vin={report.vin} token={token} />}
        <BuildSection report={report} />
        <OdometerSection report={report} />
        <RecallSection report={report} />
        <ServiceSection report={report} />
        <RegistrationSection report={report} />
        <OwnerSection report={report} />
        <Link href="/" onFollow={(e) => followLink(e)}>
          {t('report.another')}
        </Link>
        {config.local && state.trace && (
          <Link href={`/dev/traces/${state.trace}`} external target="_blank" data-testid="trace-link">
            {t('report.trace')}
          </Link>
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
