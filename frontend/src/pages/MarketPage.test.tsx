import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import createWrapper from '@cloudscape-design/components/test-utils/dom';
import MarketPage from './MarketPage';
import { position } from '../components/PriceRange';
import { renderWithSite, stubFetch } from '../test-utils';
import { clearSession, storeSession } from '../test-session';
import type { MarketView } from '../api/client';

const VIN = 'WVWZZZCD2NW600006';

const MARKET: MarketView = {
  vehicle: { make: 'Volkswagen', model: 'Golf', modelYear: 2022 },
  prices: { count: 8, minEur: 3490, q1Eur: 8865, medianEur: 10740, q3Eur: 12615, maxEur: 18500 },
  stock: 'available',
  items: [
    {
      itemId: 'STK-DDE111-1',
      kind: 'stock',
      make: 'Volkswagen',
      model: 'Golf',
      variant: '2.0 TDI',
      modelYear: 2022,
      odometerKm: 168972,
      priceEur: 8990,
      score: 60,
      reasons: ['same model'],
      dealer: { id: 'DDE111', name: 'Gebrauchtwagen Berlin GmbH', city: 'Berlin' },
    },
    { itemId: 'l1', kind: 'listing', make: 'Volkswagen', model: 'Golf', modelYear: 2022, odometerKm: 44000, priceEur: 18500, score: 70, reasons: [] },
  ],
};

afterEach(() => {
  vi.unstubAllGlobals();
  clearSession();
});

const stat = (id: string) => document.querySelector<HTMLElement>(`[data-stat="${id}"]`)?.textContent;

describe('MarketPage', () => {
  it('shows the price statistics as money, with a range bar and the cars behind them', async () => {
    storeSession('Dan', ['dealer']);
    const f = stubFetch(200, MARKET);
    renderWithSite(<MarketPage params={{ vin: VIN.toLowerCase() }} />);
    expect(await screen.findByRole('heading', { name: 'Asking prices: Volkswagen Golf 2022' })).toBeTruthy();
    expect(f.mock.calls[0]![0]).toBe(`/api/vehicles/${VIN}/market`);
    expect(stat('count')).toBe('Cars for sale8');
    expect(stat('min')).toBe('Lowest€3,490');
    expect(stat('q1')).toBe('Lower quartile€8,865');
    expect(stat('median')).toBe('Median€10,740');
    expect(stat('q3')).toBe('Upper quartile€12,615');
    expect(stat('max')).toBe('Highest€18,500');
    expect(screen.getByText('Based on 8 cars for sale.')).toBeTruthy();
    const bar = screen.getByRole('img');
    expect(bar.getAttribute('aria-label')).toBe(
      'Prices from €3,490 to €18,500; the middle half from €8,865 to €12,615; median €10,740',
    );
    expect(screen.getByText('Dealer, Gebrauchtwagen Berlin GmbH, Berlin')).toBeTruthy();
    expect(screen.getByText('Private seller')).toBeTruthy();
    expect(screen.getByText('168,972 km')).toBeTruthy();
    expect(screen.queryByText(/Few prices/)).toBeNull();
  });

  it('says there is not enough data when nothing like the car is for sale', async () => {
    storeSession('Dan', ['dealer']);
    stubFetch(200, { ...MARKET, prices: { count: 0 }, items: [] });
    renderWithSite(<MarketPage params={{ vin: VIN }} />);
    expect(await screen.findByText('Not enough data')).toBeTruthy();
    expect(screen.getByText('No Volkswagen Golf 2022 is for sale right now, so there are no prices to compare.')).toBeTruthy();
    expect(screen.queryByTestId('price-range')).toBeNull();
    expect(screen.getByText('Based on 0 cars for sale.')).toBeTruthy();
  });

  it('warns when few prices stand behind the figures, and when dealer stock did not answer', async () => {
    storeSession('Dan', ['dealer']);
    stubFetch(200, { ...MARKET, stock: 'unavailable', prices: { count: 1, minEur: 9000, q1Eur: 9000, medianEur: 9000, q3Eur: 9000, maxEur: 9000 } });
    renderWithSite(<MarketPage params={{ vin: VIN }} />);
    expect(await screen.findByText('Few prices: treat these figures with care.')).toBeTruthy();
    expect(screen.getByText(/dealer stock system did not answer, so these figures cover private listings only/)).toBeTruthy();
    expect(screen.getByText('Based on 1 car for sale.')).toBeTruthy();
  });

  it('places prices on the bar between the lowest and the highest', () => {
    expect(position(3490, 3490, 18500)).toBe(0);
    expect(position(18500, 3490, 18500)).toBe(100);
    expect(position(10995, 3490, 18500)).toBeCloseTo(50);
    expect(position(9000, 9000, 9000)).toBe(50);
  });

  it('shows the API’s VIN rule next to the VIN field, and asks nothing for a VIN the field rejects', async () => {
    storeSession('Dan', ['dealer']);
    stubFetch(400, { error: { code: 'INVALID', message: 'the check digit does not match', field: 'vin', rule: 'check-digit' } });
    const { container } = renderWithSite(<MarketPage params={{ vin: 'WVWZZZCD4MW100001' }} />);
    await waitFor(() => expect(createWrapper(container).findFormField()!.findError()).toBeTruthy());
    expect(createWrapper(container).findFormField()!.findError()!.getElement().textContent).toContain('check digit (character 9)');
  });

  it('says plainly when no system knows the car', async () => {
    storeSession('Dan', ['dealer']);
    stubFetch(404, { error: { code: 'NOT_FOUND', message: 'the vehicle master does not know this vehicle' } });
    renderWithSite(<MarketPage params={{ vin: 'WVWZZZCD0PW999999' }} />);
    expect(await screen.findByText(/No system knows a car with this VIN/)).toBeTruthy();
  });

  it('explains a refusal to an account that is not a dealer, and asks someone signed out to sign in', async () => {
    storeSession('Bob', ['consumer']);
    stubFetch(403, { error: { code: 'FORBIDDEN', message: 'dealer accounts only' } });
    renderWithSite(<MarketPage params={{ vin: VIN }} />);
    expect(await screen.findByText(/You are signed in as Bob, which is not a dealer account/)).toBeTruthy();
    clearSession();
    const f = stubFetch(200, MARKET);
    renderWithSite(<MarketPage params={{ vin: VIN }} />);
    expect(await screen.findByText('Sign in with your dealer account to see this page.')).toBeTruthy();
    expect(f).not.toHaveBeenCalled();
  });

  it('writes money the German way', async () => {
    storeSession('Dan', ['dealer']);
    stubFetch(200, MARKET);
    renderWithSite(<MarketPage params={{ vin: VIN }} />, { lang: 'de' });
    expect(await screen.findByRole('heading', { name: 'Angebotspreise: Volkswagen Golf 2022' })).toBeTruthy();
    expect(stat('median')).toBe('Median10.740\u00a0€');
    expect(screen.getByText('168.972 km')).toBeTruthy();
  });
});
