import type { ReactNode } from 'react';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Box from '@cloudscape-design/components/box';
import Alert from '@cloudscape-design/components/alert';
import type { Section as SectionData } from '../api/client';
import { useI18n } from '../i18n';

export function FreshnessBadge({ section }: { section: SectionData }) {
  const { t, fmt } = useI18n();
  switch (section.freshness) {
    case 'fresh':
      return <StatusIndicator type="success">{t('freshness.fresh')}</StatusIndicator>;
    case 'stale':
      return (
        <StatusIndicator type="warning">
          {t('freshness.stale', { date: section.fetchedAt ? fmt.dateTime(section.fetchedAt) : '?' })}
        </StatusIndicator>
      );
    default:
      return <StatusIndicator type="error">{t('freshness.unavailable')}</StatusIndicator>;
  }
}

/** SectionContainer shows one source's part of the report with where and when it came from. */
export function SectionContainer({
  id,
  title,
  section,
  unanswered,
  children,
}: {
  id: string;
  title: string;
  section: SectionData | undefined;
  /** The sources that did not answer, when a section merges several (the odometer): the stale
   * note names them, not the section's source, which did answer. */
  unanswered?: SectionData['source'][];
  children: ReactNode;
}) {
  const { t, fmt } = useI18n();
  if (!section) return null;
  const source = t(`source.${section.source}`);
  const silent = unanswered && unanswered.length > 0 ? unanswered.map((s) => t(`source.${s}`)).join(t('list.and')) : source;
  const fetched = section.fetchedAt
    ? t('section.fetched', { relative: fmt.relative(section.fetchedAt), date: fmt.dateTime(section.fetchedAt) })
    : t('section.notFetched');
  return (
    <section aria-labelledby={`${id}-title`} data-section={id} data-freshness={section.freshness}>
      <Container
        header={
          <Header variant="h2" actions={<FreshnessBadge section={section} />}>
            <span id={`${id}-title`}>{title}</span>
          </Header>
        }
        footer={
          <Box variant="small" color="text-body-secondary">
            {t('section.source', { source })} · {fetched}
          </Box>
        }
      >
        {section.freshness === 'unavailable' || section.data === undefined ? (
          <Box color="text-body-secondary">{t('section.unavailable', { source })}</Box>
        ) : (
          <>
            {section.freshness === 'stale' && (
              <Box margin={{ bottom: 's' }}>
                <Alert type="warning">{t('section.stale', { source: silent, date: section.fetchedAt ? fmt.dateTime(section.fetchedAt) : '?' })}</Alert>
              </Box>
            )}
            {children}
          </>
        )}
      </Container>
    </section>
  );
}
