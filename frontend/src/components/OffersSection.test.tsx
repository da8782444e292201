import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import { OffersSection } from './OffersSection';
import { jsonResponse, renderWithSite } from '../test-utils';
import type { Offer, VehicleOffers } from '../api/client';

const VIN = 'WVWZZZCD3MW100001';

const plan: Offer = {
  id: 'OF-1',
  kind: 'service-plan',
  title: 'Service plan, 3 years',
  description: 'All scheduled services.',
  priceCents: 112999,
  currency: 'EUR',
  validUntil: '2027-02-06',
  durationMonths: 36,
};
const finance: Offer = {
  id: 'OF-2',
  kind: 'financing',
  title: 'Trade-in bonus',
  description: '36 months, no down payment.',
  priceCents: 3100000,
  currency: 'EUR',
  validUntil: '2027-02-06',
  financing: { termMonths: 36, aprBasisPoints: 299, monthlyRateCents: 90139, downPaymentCents: 0 },
};

const OFFERS: VehicleOffers = {
  vin: VIN,
  access: 'owner',
  servicePlans: { source: 'offers', freshness: 'fresh', fetchedAt: '2026-12-06T08:00:00Z', ageSeconds: 0, offers: [plan] },
  accessories: { source: 'offers', freshness: 'fresh', fetchedAt: '2026-12-06T08:00:00Z', ageSeconds: 0, offers: [] },
  financing: { source: 'offers', freshness: 'fresh', fetchedAt: '2026-12-06T08:00:00Z', ageSeconds: 0, offers: [finance] },
};

afterEach(() => vi.unstubAllGlobals());

const block = (kind: string) => document.querySelector<HTMLElement>(`[data-offers="${kind}"]`)!;

describe('OffersSection', () => {
  it('shows service plans, accessories and financing with prices, terms and freshness', async () => {
    const f = vi.fn(async (_url: string) => jsonResponse(200, OFFERS));
    vi.stubGlobal('fetch', f);
    renderWithSite(<OffersSection vin={VIN} token={null} />);
    expect(await screen.findByText('Service plan, 3 years')).toBeTruthy();
    expect(f.mock.calls[0]![0]).toBe(`/api/vehicles/${VIN}/offers`);
    const plans = within(block('servicePlans'));
    expect(plans.getByText('€1,129.99')).toBeTruthy();
    expect(plans.getByText(/36 months/)).toBeTruthy();
    expect(plans.getByText('Feb 6, 2027')).toBeTruthy();
    expect(plans.getByText('Fresh')).toBeTruthy();
    expect(within(block('accessories')).getByText('No offers of this kind for your car.')).toBeTruthy();
    const financing = within(block('financing'));
    expect(financing.getByText('€31,000.00')).toBeTruthy();
    expect(financing.getByText('€901.39 a month for 36 months, €0.00 down, APR 2.99%')).toBeTruthy();
  });

  it('says in plain words when the offers are stale or the offers system did not answer', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(200, {
          ...OFFERS,
          servicePlans: { source: 'offers', freshness: 'stale', fetchedAt: '2026-11-01T10:00:00Z', ageSeconds: 3000000, offers: [plan] },
          accessories: { source: 'offers', freshness: 'unavailable' },
          financing: { source: 'offers', freshness: 'unavailable' },
        }),
      ),
    );
    renderWithSite(<OffersSection vin={VIN} token={null} />);
    expect(await screen.findByText('Service plan, 3 years')).toBeTruthy();
    const plans = within(block('servicePlans'));
    expect(block('servicePlans').dataset.freshness).toBe('stale');
    expect(plans.getByText(/^Stale since Nov 1, 2026/)).toBeTruthy();
    expect(plans.getByText(/did not answer just now\. These offers are as of Nov 1, 2026/)).toBeTruthy();
    for (const kind of ['accessories', 'financing']) {
      expect(block(kind).dataset.freshness).toBe('unavailable');
      expect(within(block(kind)).getByText('Unavailable')).toBeTruthy();
      expect(within(block(kind)).getByText(/The after-sales offers system did not answer, so these offers cannot be shown right now/)).toBeTruthy();
    }
  });

  it('shows only what the API sends: financing, for someone who is not the owner', async () => {
    const { servicePlans: _p, accessories: _a, ...publicView } = OFFERS;
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { ...publicView, access: 'public' })));
    renderWithSite(<OffersSection vin={VIN} token={null} />);
    expect(await screen.findByText('Trade-in bonus')).toBeTruthy();
    expect(document.querySelector('[data-offers="servicePlans"]')).toBeNull();
    expect(document.querySelector('[data-offers="accessories"]')).toBeNull();
  });

  it('explains a failed request', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(504, { error: { code: 'TIMEOUT', message: 'the work did not finish in time' } })));
    renderWithSite(<OffersSection vin={VIN} token={null} />);
    expect(await screen.findByText('The offers could not be loaded.')).toBeTruthy();
    expect(screen.getByText(/took too long to answer/)).toBeTruthy();
  });

  it('writes money and rates the German way', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, OFFERS)));
    renderWithSite(<OffersSection vin={VIN} token={null} />, { lang: 'de' });
    // The matcher folds the no-break spaces Intl writes in German into plain ones.
    expect(await screen.findByText('1.129,99 €')).toBeTruthy();
    expect(screen.getByText('901,39 € im Monat für 36 Monate, 0,00 € Anzahlung, effektiver Jahreszins 2,99 %')).toBeTruthy();
    expect(screen.getByText(/36 Monate$/)).toBeTruthy();
  });
});
