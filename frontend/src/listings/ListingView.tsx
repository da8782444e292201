// ListingView is the share page's listing: what a buyer sees at /l/{id}. The seller's preview
// renders this same component with the draft, so the preview is exactly the share view.
// Every text from the API (description, recall titles) is rendered as React text, never as HTML.
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Box from '@cloudscape-design/components/box';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import type { Listing, Schemas } from '../api/client';
import { useI18n, type I18n } from '../i18n';

type Fact = Schemas['Fact'];

export function listingTitle(l: Listing, fallback: string): string {
  const v = l.verified;
  const parts = [v.make?.value, v.model?.value, v.modelYear?.value].filter((x) => typeof x === 'string' || typeof x === 'number');
  return parts.length ? parts.join(' ') : fallback;
}

function factValue(key: string, f: Fact, { t, fmt }: I18n): string {
  const v = f.value;
  switch (key) {
    case 'odometer': {
      const o = v as { km?: number; month?: string };
      return typeof o?.km === 'number' ? t('listing.fact.odometer.value', { km: fmt.km(o.km), month: o.month ? fmt.month(o.month) : '?' }) : '?';
    }
    case 'rollbackDetected':
      return v === true ? t('listing.fact.rollback.yes') : t('listing.fact.rollback.no');
    case 'accidentRecorded':
      return v === true ? t('listing.fact.accident.yes') : t('listing.fact.accident.no');
    case 'service': {
      const s = v as { count?: number; lastServiceMonth?: string };
      const count = typeof s?.count === 'number' ? s.count : 0;
      return s?.lastServiceMonth
        ? t('listing.fact.service.value', { count, month: fmt.month(s.lastServiceMonth) })
        : t('listing.fact.service.none', { count });
    }
    case 'openRecalls': {
      const r = Array.isArray(v) ? (v as { id: string; title?: string }[]) : [];
      return r.length === 0 ? t('listing.fact.recalls.none') : r.map((x) => (x.title ? `${x.id}: ${x.title}` : x.id)).join('; ');
    }
    default:
      return typeof v === 'string' || typeof v === 'number' ? String(v) : '?';
  }
}

const FACTS = ['make', 'model', 'modelYear', 'odometer', 'rollbackDetected', 'service', 'accidentRecorded', 'openRecalls'] as const;

/** VerifiedFacts lists each fact with its source and fetch time; a missing fact says its source was unavailable. */
export function VerifiedFacts({ listing }: { listing: Listing }) {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const v = listing.verified;
  return (
    <section aria-labelledby="facts-title" data-testid="verified-facts">
      <Container
        header={
          <Header variant="h2" description={t('listing.facts.asOf', { date: v.snapshotAt ? fmt.dateTime(v.snapshotAt) : '?' })}>
            <span id="facts-title">{t('listing.facts.title')}</span>
          </Header>
        }
      >
        <KeyValuePairs
          columns={2}
          items={FACTS.map((k) => {
            const f = v[k];
            return {
              label: t(`listing.fact.${k}`),
              value: f ? (
                <div data-fact={k}>
                  <div>{factValue(k, f, i18n)}</div>
                  <Box variant="small" color="text-body-secondary">
                    {t('section.source', { source: t(`source.${f.source}`) })}
                    {f.fetchedAt ? ` · ${t('listing.fact.fetched', { date: fmt.dateTime(f.fetchedAt) })}` : ''}
                  </Box>
                </div>
              ) : (
                <div data-fact={k}>
                  <StatusIndicator type="info">{t('listing.fact.missing')}</StatusIndicator>
                </div>
              ),
            };
          })}
        />
      </Container>
    </section>
  );
}

export function ListingView({ listing }: { listing: Listing }) {
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const title = listingTitle(listing, t('listing.untitled'));
  const region = [listing.region.country, listing.region.postalPrefix ? `${listing.region.postalPrefix}…` : ''].filter(Boolean).join(' ');
  return (
    <SpaceBetween size="l">
      <div data-testid="listing-view">
        <Container
          header={
            <Header variant="h2" description={region ? t('listing.region', { region }) : undefined}>
              {title}
            </Header>
          }
        >
          <SpaceBetween size="m">
            <Box variant="h3" tagOverride="p" data-testid="listing-price">
              {fmt.money(listing.priceEur, 'EUR')}
            </Box>
            {listing.photos.length > 0 && (
              <div className="listing-photos">
                {listing.photos.map((src, i) => (
                  <img
                    key={`${i}-${src}`}
                    src={src}
                    alt={t('listing.photo', { n: i + 1, count: listing.photos.length, title })}
                    loading="lazy"
                    referrerPolicy="no-referrer"
                  />
                ))}
              </div>
            )}
            {listing.description ? (
              <Box variant="p" data-testid="listing-description">
                <span className="listing-description">{listing.description}</span>
              </Box>
            ) : (
              <Box color="text-body-secondary">{t('listing.noDescription')}</Box>
            )}
          </SpaceBetween>
        </Container>
      </div>
      <VerifiedFacts listing={listing} />
    </SpaceBetween>
  );
}
