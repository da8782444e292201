import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import DealerStockPage, { CHART_CARS, totals } from './DealerStockPage';
import { jsonResponse, renderWithSite, stubFetch } from '../test-utils';
import { clearSession, storeSession } from '../test-session';
import type { SurfacedStock } from '../api/client';

function car(itemId: string, model: string, impressions: number, clicks: number, priceEur = 14490): SurfacedStock['cars'][number] {
  return {
    itemId,
    make: 'Volkswagen',
    model,
    modelYear: 2022,
    priceEur,
    impressions,
    clicks,
    days: [
      { date: '2026-12-05', impressions: Math.floor(impressions / 2), clicks: 0 },
      { date: '2026-12-06', impressions: impressions - Math.floor(impressions / 2), clicks },
    ],
  };
}

const STOCK: SurfacedStock = {
  dealerId: 'DDE177',
  firstDay: '2026-11-07',
  lastDay: '2026-12-06',
  // The API's order is not the page's: most impressions first.
  cars: [car('STK-DDE177-1', 'Passat', 3, 0, 16990), car('STK-DDE177-2', 'Golf', 1200, 37), car('STK-DDE177-3', 'ID.4', 40, 2, 22990)],
};

afterEach(() => {
  vi.unstubAllGlobals();
  clearSession();
});

/** tableRow finds a car's row (its name is also a category of the chart). */
async function tableRow(name: string): Promise<HTMLElement> {
  const hits = await screen.findAllByText(name);
  const row = hits.map((h) => h.closest('tr')).find((r) => r !== null);
  if (!row) throw new Error(`no table row for ${name}`);
  return row;
}

describe('DealerStockPage', () => {
  it('asks someone signed out to sign in with a dealer account, without calling the API', async () => {
    const f = stubFetch(200, STOCK);
    renderWithSite(<DealerStockPage />);
    expect(await screen.findByText('Sign in with your dealer account to see this page.')).toBeTruthy();
    expect(f).not.toHaveBeenCalled();
  });

  it('shows each car with impressions and clicks, most shown first, the totals and a chart', async () => {
    storeSession('Dan', ['dealer']);
    const f = stubFetch(200, STOCK);
    renderWithSite(<DealerStockPage />);
    await tableRow('1. Volkswagen Golf 2022');
    expect(f.mock.calls[0]![0]).toBe('/api/dealer/stock/surfaced');
    expect((f.mock.calls[0]![1]!.headers as Record<string, string>).Authorization).toMatch(/^Bearer /);

    const total = (id: string) => document.querySelector<HTMLElement>(`[data-total="${id}"]`)!.textContent;
    expect(total('cars')).toBe('Cars shown3');
    expect(total('impressions')).toBe('Impressions1,243');
    expect(total('clicks')).toBe('Clicks39');
    expect(total('rate')).toBe('Click rate3.1%');

    const rows = [...document.querySelectorAll<HTMLElement>('table tbody tr')];
    expect(rows.map((r) => r.querySelector('th, td')!.textContent)).toEqual([
      '1. Volkswagen Golf 2022',
      '2. Volkswagen ID.4 2022',
      '3. Volkswagen Passat 2022',
    ]);
    const golf = within(rows[0]!);
    expect(golf.getByText('€14,490')).toBeTruthy();
    expect(golf.getByText('1,200')).toBeTruthy();
    expect(golf.getByText('37')).toBeTruthy();
    expect(golf.getByText('Dec 6, 2026')).toBeTruthy();
    expect(screen.getByText(/Nov 7, 2026 to Dec 6, 2026 \(UTC\)/)).toBeTruthy();
    expect(screen.getByTestId('stock-chart')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Impressions and clicks per car' })).toBeTruthy();
  });

  it('says when none of the cars has been shown yet', async () => {
    storeSession('Dan', ['dealer']);
    stubFetch(200, { ...STOCK, cars: [] });
    renderWithSite(<DealerStockPage />);
    expect(await screen.findByText('None of your cars has been shown yet')).toBeTruthy();
    expect(screen.queryByTestId('stock-chart')).toBeNull();
  });

  it('explains a refusal to an account that is not a dealer', async () => {
    storeSession('Alice', ['consumer']);
    stubFetch(403, { error: { code: 'FORBIDDEN', message: 'dealer accounts only' } });
    renderWithSite(<DealerStockPage />);
    expect(await screen.findByText('This page is for dealers')).toBeTruthy();
    expect(screen.getByText(/You are signed in as Alice, which is not a dealer account/)).toBeTruthy();
  });

  it('shows a failure in plain words and tries again', async () => {
    storeSession('Dan', ['dealer']);
    const f = stubFetch(503, { error: { code: 'UNAVAILABLE', message: 'the counts could not be read' } });
    renderWithSite(<DealerStockPage />);
    expect(await screen.findByText('The figures could not be loaded')).toBeTruthy();
    expect(screen.getByText(/A system we depend on is not available right now/)).toBeTruthy();
    f.mockImplementation(async () => jsonResponse(200, STOCK));
    screen.getByRole('button', { name: 'Try again' }).click();
    expect(await tableRow('1. Volkswagen Golf 2022')).toBeTruthy();
  });

  it('writes numbers, money and dates the German way', async () => {
    storeSession('Dan', ['dealer']);
    stubFetch(200, STOCK);
    renderWithSite(<DealerStockPage />, { lang: 'de' });
    const row = within(await tableRow('1. Volkswagen Golf 2022'));
    expect(row.getByText('1.200')).toBeTruthy();
    expect(row.getByText('14.490 €')).toBeTruthy();
    expect(document.querySelector('[data-total="impressions"]')!.textContent).toBe('Impressionen1.243');
    expect(document.querySelector('[data-total="rate"]')!.textContent).toBe('Klickrate3,1\u00a0%');
  });

  it('adds up every car, and says the chart holds only the cars shown most often', async () => {
    const many = Array.from({ length: CHART_CARS + 5 }, (_, i) => car(`c${i}`, 'Golf', i + 1, 0));
    expect(totals(many)).toEqual({ cars: CHART_CARS + 5, impressions: ((CHART_CARS + 5) * (CHART_CARS + 6)) / 2, clicks: 0 });
    storeSession('Dan', ['dealer']);
    stubFetch(200, { ...STOCK, cars: many });
    renderWithSite(<DealerStockPage />);
    expect(await screen.findByText(`The ${CHART_CARS} cars shown most often.`)).toBeTruthy();
    expect(document.querySelectorAll('table tbody tr')).toHaveLength(CHART_CARS + 5);
  });
});
