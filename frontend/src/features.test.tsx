// The feature toggles of config.json, with the site's real route table and pages: a feature
// switched off leaves no route, no navigation entry and no section behind; on, they are there.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { App } from './App';
import { navigate } from './router';
import VehiclePage from './pages/VehiclePage';
import { jsonResponse, renderWithSite, testConfig } from './test-utils';
import { clearSession, storeSession } from './test-session';
import type { SiteConfig } from './config';
import type { Report } from './api/client';

const VIN = 'WVWZZZCD3MW100001';

function config(features: Partial<SiteConfig['features']>): SiteConfig {
  return { ...testConfig, features: { ...testConfig.features, ...features } };
}

const ownerReport: Report = {
  vin: VIN,
  access: 'owner',
  build: { source: 'vehicle-master', freshness: 'fresh', fetchedAt: '2026-12-06T08:00:00Z', data: { make: 'Volkswagen', model: 'Golf', modelYear: 2021 } },
};

/** api answers like the local stack for the routes these tests touch. */
function api() {
  const f = vi.fn(async (url: string) => {
    if (url.endsWith('/offers')) {
      return jsonResponse(200, {
        vin: VIN,
        access: 'owner',
        financing: { source: 'offers', freshness: 'fresh', fetchedAt: '2026-12-06T08:00:00Z', offers: [] },
      });
    }
    if (url.endsWith('/dealer/stock/surfaced')) return jsonResponse(200, { dealerId: 'DDE177', firstDay: '2026-11-07', lastDay: '2026-12-06', cars: [] });
    if (url.includes('/vehicles/')) return jsonResponse(200, ownerReport);
    return jsonResponse(404, { error: { code: 'NOT_FOUND', message: 'no such route' } });
  });
  vi.stubGlobal('fetch', f);
  return f;
}

afterEach(() => {
  vi.unstubAllGlobals();
  clearSession();
});

const DEALER_NAV = ['Surfaced stock (dealer)', 'Market prices (dealer)'];

describe('the dealer feature', () => {
  it('off: no dealer navigation even for a dealer, and its pages are not found', async () => {
    storeSession('Dan', ['dealer']);
    api();
    for (const path of ['/dealer/stock', '/dealer/market', `/dealer/market/${VIN}`]) {
      navigate(path);
      const { unmount } = renderWithSite(<App />, { config: config({ dealer: false, listings: true, offers: true }) });
      expect(await screen.findByText('Page not found')).toBeTruthy();
      await screen.findByRole('button', { name: 'Dan' });
      for (const name of DEALER_NAV) expect(screen.queryByRole('link', { name })).toBeNull();
      unmount();
    }
  });

  it('on: a dealer has the navigation entries and the pages', async () => {
    storeSession('Dan', ['dealer']);
    api();
    navigate('/dealer/stock');
    renderWithSite(<App />, { config: config({ dealer: true }) });
    expect(await screen.findByText('None of your cars has been shown yet')).toBeTruthy();
    for (const name of DEALER_NAV) expect(screen.getAllByRole('link', { name }).length).toBeGreaterThan(0);
    navigate('/dealer/market');
    expect(await screen.findByRole('button', { name: 'Show market prices' })).toBeTruthy();
  });

  it('on: people who are not dealers do not see the entries, and a link opened anyway explains itself', async () => {
    storeSession('Alice', ['consumer']);
    api();
    navigate('/');
    const { unmount } = renderWithSite(<App />, { config: config({ dealer: true }) });
    await screen.findByRole('button', { name: 'Alice' });
    expect(screen.getAllByRole('link', { name: 'Look up a car' }).length).toBeGreaterThan(0);
    for (const name of DEALER_NAV) expect(screen.queryByRole('link', { name })).toBeNull();
    unmount();

    clearSession();
    navigate('/dealer/stock');
    renderWithSite(<App />, { config: config({ dealer: true }) });
    expect(await screen.findByText('Sign in with your dealer account to see this page.')).toBeTruthy();
    for (const name of DEALER_NAV) expect(screen.queryByRole('link', { name })).toBeNull();
  });
});

describe('the offers feature', () => {
  it('off: the owner’s vehicle page has no offers section and never asks for offers', async () => {
    storeSession('Alice', ['consumer']);
    const f = api();
    renderWithSite(<VehiclePage params={{ vin: VIN }} />, { config: config({ offers: false, dealer: true, listings: true }) });
    expect(await screen.findByRole('heading', { name: 'Volkswagen Golf 2021' })).toBeTruthy();
    expect(screen.getByText('Owner view', { selector: 'span' })).toBeTruthy();
    expect(document.querySelector('[data-section="offers"]')).toBeNull();
    expect(f.mock.calls.some(([url]) => url.endsWith('/offers'))).toBe(false);
  });

  it('on: the owner sees the offers section', async () => {
    storeSession('Alice', ['consumer']);
    const f = api();
    renderWithSite(<VehiclePage params={{ vin: VIN }} />, { config: config({ offers: true }) });
    expect(await screen.findByRole('heading', { name: 'Offers for your car' })).toBeTruthy();
    await waitFor(() => expect(document.querySelector('[data-offers="financing"]')).not.toBeNull());
    expect(f.mock.calls.some(([url]) => url === `/api/vehicles/${VIN}/offers`)).toBe(true);
  });

  it('on: the public view of a car has no offers section', async () => {
    const f = api();
    f.mockImplementation(async () => jsonResponse(200, { ...ownerReport, access: 'public' }));
    renderWithSite(<VehiclePage params={{ vin: VIN }} />, { config: config({ offers: true }) });
    expect(await screen.findByRole('heading', { name: 'Volkswagen Golf 2021' })).toBeTruthy();
    expect(document.querySelector('[data-section="offers"]')).toBeNull();
    expect(f.mock.calls.some(([url]) => url.endsWith('/offers'))).toBe(false);
  });
});
