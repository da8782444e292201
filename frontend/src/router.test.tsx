import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { enabledRoutes, matchRoute, navigate, route } from './router';
import { App } from './App';
import { renderWithSite, testConfig } from './test-utils';

const page = (text: string) => () => Promise.resolve({ default: () => <p>{text}</p> });

const routes = [
  route({ id: 'home', path: '/', nav: 'nav.lookup', load: page('home page') }),
  route({ id: 'vehicle', path: '/vehicles/:vin', load: page('vehicle page') }),
  route({ id: 'dealer', path: '/dealer', feature: 'dealer', nav: 'nav.label', load: page('dealer page') }),
  route({ id: 'chaos', path: '/chaos', localOnly: true, nav: 'nav.chaos', load: page('chaos page') }),
];

describe('routes', () => {
  it('match paths and decode parameters', () => {
    expect(matchRoute(routes, '/vehicles/WVW%20X')).toMatchObject({ route: { id: 'vehicle' }, params: { vin: 'WVW X' } });
    expect(matchRoute(routes, '/vehicles/')).toBeNull();
    expect(matchRoute(routes, '/vehicles/a/b')).toBeNull();
    expect(matchRoute(routes, '/vehicles/%E0%A4%A')).toBeNull();
    expect(matchRoute(routes, '/')).toMatchObject({ route: { id: 'home' } });
  });

  it('hide pages whose feature is off, and development tools outside the local stack', () => {
    const ids = (c: Parameters<typeof enabledRoutes>[1]) => enabledRoutes(routes, c).map((r) => r.id);
    expect(ids({ features: { listings: true, dealer: false, offers: true }, local: true })).toEqual(['home', 'vehicle', 'chaos']);
    expect(ids({ features: { listings: false, dealer: true, offers: false }, local: false })).toEqual(['home', 'vehicle', 'dealer']);
  });
});

describe('navigation', () => {
  it('shows only enabled pages, and a switched-off page is not found', async () => {
    navigate('/dealer');
    renderWithSite(<App routes={routes} />, { config: { ...testConfig, local: false } });
    expect(await screen.findByText('Page not found')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Chaos panel (local)' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Site' })).toBeNull();
  });

  it('shows a switched-on page and its navigation entry', async () => {
    navigate('/dealer');
    renderWithSite(<App routes={routes} />, { config: { ...testConfig, features: { ...testConfig.features, dealer: true } } });
    expect(await screen.findByText('dealer page')).toBeTruthy();
    expect(screen.getAllByRole('link', { name: 'Chaos panel (local)' }).length).toBeGreaterThan(0);
  });
});
