import Table from '@cloudscape-design/components/table';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import type { Report } from '../api/client';
import { useI18n } from '../i18n';
import { SectionContainer } from './Section';
import { OdometerChart } from './OdometerChart';

/** Codes from the legacy systems ("oil-service") read as words. */
const words = (s: string | undefined) => (s ? s.replace(/[-_]/g, ' ') : '-');

export function BuildSection({ report }: { report: Report }) {
  const { t, fmt } = useI18n();
  const d = report.build?.data;
  return (
    <SectionContainer id="build" title={t('build.title')} section={report.build}>
      {d && (
        <SpaceBetween size="m">
          <KeyValuePairs
            columns={3}
            items={[
              { label: t('build.model'), value: `${d.make} ${d.model}` },
              { label: t('build.modelYear'), value: String(d.modelYear) },
              { label: t('build.body'), value: words(d.bodyType) },
              { label: t('build.engine'), value: d.engineCode ?? '-' },
              { label: t('build.fuel'), value: words(d.fuel) },
              { label: t('build.power'), value: d.powerKw ? fmt.kw(d.powerKw) : '-' },
              { label: t('build.transmission'), value: words(d.transmission) },
              { label: t('build.drive'), value: d.drive ?? '-' },
              { label: t('build.color'), value: d.exteriorColor ?? '-' },
              { label: t('build.plant'), value: d.plant ?? '-' },
              { label: t('build.produced'), value: d.productionDate ? fmt.date(d.productionDate) : '-' },
            ]}
          />
          {(d.equipment ?? []).length > 0 && (
            <KeyValuePairs
              items={[{ label: t('build.equipment'), value: (d.equipment ?? []).map((e) => e.description ?? e.code).join(' · ') }]}
            />
          )}
        </SpaceBetween>
      )}
    </SectionContainer>
  );
}

export function OdometerSection({ report }: { report: Report }) {
  const { t, fmt } = useI18n();
  const d = report.odometer?.data;
  return (
    <SectionContainer
      id="odometer"
      title={t('odometer.title')}
      section={report.odometer}
      unanswered={(d?.inputs ?? []).filter((i) => i.freshness !== 'fresh').map((i) => i.source)}
    >
      {d && (
        <SpaceBetween size="m">
          {d.rollbackDetected ? (
            <Alert type="error" header={t('odometer.rollback.alert')}>
              <ul>
                {(d.rollbacks ?? []).map((r, i) => (
                  <li key={i}>
                    {t('odometer.rollback.item', {
                      month: r.month ? fmt.month(r.month) : '?',
                      to: fmt.km(r.toKm ?? 0),
                      from: fmt.km(r.fromKm ?? 0),
                    })}
                  </li>
                ))}
              </ul>
            </Alert>
          ) : (d.readings ?? []).length > 0 ? (
            <StatusIndicator type="success">{t('odometer.ok')}</StatusIndicator>
          ) : (
            <Box>{t('odometer.none')}</Box>
          )}
          <OdometerChart data={d} />
          {(d.readings ?? []).length > 0 && (
            <ExpandableSection headerText={t('odometer.readings')}>
              <Table
                variant="embedded"
                items={d.readings ?? []}
                columnDefinitions={[
                  { id: 'month', header: t('odometer.date'), cell: (r) => (r.date ? fmt.date(r.date) : fmt.month(r.month)) },
                  { id: 'km', header: t('odometer.km'), cell: (r) => fmt.km(r.km) },
                  { id: 'source', header: t('odometer.reading.source'), cell: (r) => t(`source.${r.source}`) },
                ]}
              />
            </ExpandableSection>
          )}
        </SpaceBetween>
      )}
    </SectionContainer>
  );
}

export function RecallSection({ report }: { report: Report }) {
  const { t, fmt } = useI18n();
  const d = report.recalls?.data;
  const campaigns = d?.campaigns ?? [];
  const open = campaigns.filter((c) => c.status === 'open');
  const done = campaigns.filter((c) => c.status === 'completed');
  const columns = (completed: boolean) => [
    { id: 'id', header: t('recalls.id'), cell: (c: (typeof campaigns)[number]) => c.id },
    {
      id: 'what',
      header: t('recalls.what'),
      cell: (c: (typeof campaigns)[number]) => (
        <>
          <Box fontWeight="bold">{c.title ?? '-'}</Box>
          <Box variant="small">{c.description}</Box>
        </>
      ),
    },
    { id: 'severity', header: t('recalls.severity'), cell: (c: (typeof campaigns)[number]) => words(c.severity) },
    { id: 'issued', header: t('recalls.issued'), cell: (c: (typeof campaigns)[number]) => (c.issuedOn ? fmt.date(c.issuedOn) : '-') },
    ...(completed
      ? [{ id: 'completed', header: t('recalls.completedOn'), cell: (c: (typeof campaigns)[number]) => (c.completedOn ? fmt.date(c.completedOn) : '-') }]
      : []),
  ];
  return (
    <SectionContainer id="recalls" title={t('recalls.title')} section={report.recalls}>
      {d && (
        <SpaceBetween size="m">
          {d.openCount > 0 ? (
            <Alert type="warning">{t('recalls.openCount', { count: d.openCount })}</Alert>
          ) : (
            <StatusIndicator type="success">{campaigns.length ? t('recalls.noneOpen') : t('recalls.none')}</StatusIndicator>
          )}
          {open.length > 0 && (
            <Table variant="embedded" header={<Box variant="h3">{t('recalls.open')}</Box>} items={open} columnDefinitions={columns(false)} wrapLines />
          )}
          {done.length > 0 && (
            <Table variant="embedded" header={<Box variant="h3">{t('recalls.completed')}</Box>} items={done} columnDefinitions={columns(true)} wrapLines />
          )}
        </SpaceBetween>
      )}
    </SectionContainer>
  );
}

export function ServiceSection({ report }: { report: Report }) {
  const { t, fmt } = useI18n();
  const visits = report.serviceHistory?.data?.visits ?? [];
  const personal = visits.some((v) => v.workshop);
  return (
    <SectionContainer id="service" title={t('service.title')} section={report.serviceHistory}>
      {visits.length === 0 ? (
        <Box>{t('service.none')}</Box>
      ) : (
        <Table
          variant="embedded"
          wrapLines
          items={visits}
          columnDefinitions={[
            { id: 'when', header: t('service.when'), cell: (v) => (v.date ? fmt.date(v.date) : fmt.month(v.month)) },
            { id: 'km', header: t('service.km'), cell: (v) => fmt.km(v.odometerKm) },
            { id: 'kind', header: t('service.kind'), cell: (v) => words(v.kind) },
            { id: 'items', header: t('service.items'), cell: (v) => (v.items ?? []).join(', ') || '-' },
            ...(personal
              ? [{ id: 'workshop', header: t('service.workshop'), cell: (v: (typeof visits)[number]) => [v.workshop?.name, v.workshop?.city].filter(Boolean).join(', ') || '-' }]
              : []),
          ]}
        />
      )}
    </SectionContainer>
  );
}

export function RegistrationSection({ report }: { report: Report }) {
  const { t, fmt } = useI18n();
  const d = report.registration?.data;
  const regs = d?.registrations ?? [];
  const personal = regs.some((r) => r.plate);
  return (
    <SectionContainer id="registration" title={t('registration.title')} section={report.registration}>
      {d && (
        <SpaceBetween size="m">
          <Box variant="p" fontWeight="bold">
            {t('registration.owners', { count: d.ownerCount })}
          </Box>
          {regs.length > 0 && (
            <Table
              variant="embedded"
              items={regs}
              columnDefinitions={[
                { id: 'country', header: t('registration.country'), cell: (r) => r.country ?? '-' },
                {
                  id: 'period',
                  header: t('registration.period'),
                  cell: (r) =>
                    `${r.from ? fmt.date(r.from) : r.fromMonth ? fmt.month(r.fromMonth) : '?'} – ${
                      r.to ? fmt.date(r.to) : r.toMonth ? fmt.month(r.toMonth) : t('registration.untilNow')
                    }`,
                },
                { id: 'keeper', header: t('registration.keeper'), cell: (r) => words(r.keeperKind) },
                ...(personal ? [{ id: 'plate', header: t('registration.plate'), cell: (r: (typeof regs)[number]) => r.plate ?? '-' }] : []),
              ]}
            />
          )}
        </SpaceBetween>
      )}
    </SectionContainer>
  );
}

export function OwnerSection({ report }: { report: Report }) {
  const { t, fmt } = useI18n();
  const d = report.owner?.data;
  return (
    <SectionContainer id="owner" title={t('owner.title')} section={report.owner}>
      {d && (
        <KeyValuePairs
          columns={3}
          items={[
            { label: t('owner.name'), value: d.name ?? '-' },
            { label: t('owner.city'), value: [d.postalCode, d.city].filter(Boolean).join(' ') || '-' },
            { label: t('owner.since'), value: d.since ? fmt.date(d.since) : '-' },
          ]}
        />
      )}
    </SectionContainer>
  );
}
