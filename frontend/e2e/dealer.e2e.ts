// The dealer and offers journeys, one test each, in real headless Chromium against the real local
// stack (global-setup.ts, DEMO_LISTINGS=off). What the browser does not need to show (alice's
// listing, the buyer's look at similar cars, a click) is set up through the API, as those people
// would through their own pages.
import { describe, expect, it } from 'vitest';
import { baseURL, checkA11y, screenshot, signIn, useBrowser, waitForReport } from './browser';
import { checkDigit } from '../src/vin';
import { euros } from '../src/components/euros';
import type { MarketView, SimilarItem, SurfacedStock } from '../src/api/client';

/** dealer-dan's dealer in the stock simulator (internal/local/devoidc). */
const DAN_DEALER = 'DDE177';

const open = useBrowser();

/** freshVin mints a valid 2021 Golf VIN nobody has looked up in this run (serials 8xxxxx). */
function freshVin(): string {
  const serial = '8' + String(Math.floor(Math.random() * 100000)).padStart(5, '0');
  const draft = `WVWZZZCD0MW${serial}`;
  return draft.slice(0, 8) + checkDigit(draft) + draft.slice(9);
}

/** token signs a demo user in with the development issuer's password grant. */
async function token(user: 'alice' | 'dealer-dan'): Promise<string> {
  const res = await fetch(`${baseURL()}/oidc/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', username: user }),
  });
  expect(res.status, `token for ${user}`).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function api<T>(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const res = await fetch(`${baseURL()}/api${path}`, {
    method,
    headers: {
      Accept: 'application/json',
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? null : JSON.stringify(opts.body),
  });
  const text = await res.text();
  expect(res.ok, `${method} ${path}: ${res.status} ${text}`).toBe(true);
  return JSON.parse(text) as T;
}

/** proveOwnership takes the car through the real proof: the registration document's code. */
async function proveOwnership(vin: string, tok: string): Promise<void> {
  const box = (await (await fetch(`${baseURL()}/dev/outbox?vin=${vin}`)).json()) as { documentCode: string };
  const ch = await api<{ challengeId: string }>('POST', `/vehicles/${vin}/ownership-challenges`, { token: tok, body: { method: 'document-code' } });
  await api('POST', `/vehicles/${vin}/ownership-challenges/${ch.challengeId}/verify`, { token: tok, body: { code: box.documentCode } });
}

const num = (n: number) => new Intl.NumberFormat('en').format(n);

describe('the web site for dealers and owners', () => {
  it('shows a dealer the surfaced stock with impressions and clicks, and the market prices of a VIN', async () => {
    // alice proves she owns a car and lists it; a buyer opens its similar cars and clicks one of
    // dealer-dan's.
    const alice = await token('alice');
    const dan = await token('dealer-dan');
    const vin = freshVin();
    await proveOwnership(vin, alice);
    const listing = await api<{ id: string }>('POST', '/listings', {
      token: alice,
      headers: { 'Idempotency-Key': `e2e-dealer-${vin}` },
      body: { vin, priceEur: 18500, description: 'Well kept, full service history.', photos: [], region: { country: 'DE', postalPrefix: '101' } },
    });
    const before = await api<SurfacedStock>('GET', '/dealer/stock/surfaced', { token: dan });
    const similar = await api<{ items: SimilarItem[] }>('GET', `/listings/${listing.id}/similar`);
    const dans = similar.items.filter((i) => i.kind === 'stock' && i.dealer?.id === DAN_DEALER);
    expect(dans.length, 'cars of dealer-dan among the similar cars').toBeGreaterThan(0);
    const clicked = dans[0]!.itemId;
    await api('POST', `/listings/${listing.id}/similar/${clicked}/clicks`);
    const after = await api<SurfacedStock>('GET', '/dealer/stock/surfaced', { token: dan });
    const count = (s: SurfacedStock, id: string) => s.cars.find((c) => c.itemId === id) ?? { impressions: 0, clicks: 0 };
    for (const d of dans) {
      expect(count(after, d.itemId).impressions, d.itemId).toBe(count(before, d.itemId).impressions + 1);
      expect(count(after, d.itemId).clicks, d.itemId).toBe(count(before, d.itemId).clicks + (d.itemId === clicked ? 1 : 0));
    }

    // Dan signs in and opens the surfaced stock from the navigation.
    const { page } = await open();
    await page.goto('/');
    await signIn(page, 'Dan (dealer)');
    await page.getByRole('link', { name: 'Surfaced stock (dealer)' }).first().click();
    await page.waitForURL('**/dealer/stock');
    await page.locator('[data-testid="stock-chart"] svg').first().waitFor({ timeout: 30_000 });
    const total = (id: string) => page.locator(`[data-total="${id}"]`).textContent();
    const sum = after.cars.reduce((a, c) => ({ impressions: a.impressions + c.impressions, clicks: a.clicks + c.clicks }), { impressions: 0, clicks: 0 });
    expect(await total('cars')).toBe(`Cars shown${num(after.cars.length)}`);
    expect(await total('impressions')).toBe(`Impressions${num(sum.impressions)}`);
    expect(await total('clicks')).toBe(`Clicks${num(sum.clicks)}`);
    // The table lists the cars most shown first (ties in the API's order), each with its figures.
    const sorted = [...after.cars].sort((a, b) => b.impressions - a.impressions || b.clicks - a.clicks);
    const rank = sorted.findIndex((c) => c.itemId === clicked);
    const car = sorted[rank]!;
    const row = page.locator('table tbody tr').nth(rank);
    const cells = await row.locator('th, td').allTextContents();
    expect(cells.slice(0, 4)).toEqual([
      `${rank + 1}. ${car.make} ${car.model} ${car.modelYear}`,
      euros('en', car.priceEur!),
      num(car.impressions),
      num(car.clicks),
    ]);
    expect(await page.locator('table tbody tr').count()).toBe(after.cars.length);
    // The chart names the cars, most shown first.
    const chart = page.getByTestId('stock-chart');
    const first = `1. ${sorted[0]!.make} ${sorted[0]!.model} ${sorted[0]!.modelYear}`;
    await chart.getByText(first, { exact: true }).first().waitFor({ state: 'attached' });
    expect(await chart.locator('svg').count()).toBeGreaterThan(0);
    await checkA11y(page, 'the surfaced stock');
    await screenshot(page, 'dealer-stock', true);

    // The market view of alice's car: the API's figures, as money.
    const market = await api<MarketView>('GET', `/vehicles/${vin}/market`, { token: dan });
    await page.getByRole('link', { name: 'Market prices (dealer)' }).first().click();
    await page.waitForURL('**/dealer/market');
    const field = page.getByLabel('Vehicle identification number (VIN)');
    await field.fill(vin.toLowerCase());
    await field.press('Enter');
    await page.waitForURL(`**/dealer/market/${vin}`);
    await page.getByRole('heading', { name: 'Asking prices: Volkswagen Golf 2021' }).waitFor({ timeout: 30_000 });
    const stat = (id: string) => page.locator(`[data-stat="${id}"]`).textContent();
    const p = market.prices;
    expect(p.count).toBeGreaterThan(0);
    expect(await stat('count')).toBe(`Cars for sale${num(p.count)}`);
    expect(await stat('min')).toBe(`Lowest${euros('en', p.minEur!)}`);
    expect(await stat('q1')).toBe(`Lower quartile${euros('en', p.q1Eur!)}`);
    expect(await stat('median')).toBe(`Median${euros('en', p.medianEur!)}`);
    expect(await stat('q3')).toBe(`Upper quartile${euros('en', p.q3Eur!)}`);
    expect(await stat('max')).toBe(`Highest${euros('en', p.maxEur!)}`);
    await page.getByRole('img', { name: `Prices from ${euros('en', p.minEur!)} to ${euros('en', p.maxEur!)}` , exact: false }).waitFor();
    await checkA11y(page, 'the market view');
    await screenshot(page, 'dealer-market', true);
  });

  it('shows an owner the offers for the car, and says plainly when the offers system is down', async () => {
    const { page } = await open();
    const vin = freshVin();
    await page.goto(`/vehicles/${vin}`);
    await waitForReport(page);
    await signIn(page, 'Alice (owner)');
    await waitForReport(page);
    // The public view has no offers; the owner's has.
    expect(await page.locator('[data-section="offers"]').count()).toBe(0);
    await page.getByRole('radio', { name: /Use the code on the registration document/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    const box = (await (await page.request.get(`/dev/outbox?vin=${vin}`)).json()) as { documentCode: string };
    await page.getByLabel('Code', { exact: true }).fill(box.documentCode);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(/You are confirmed as the owner until/).waitFor();
    const offers = page.locator('[data-section="offers"]');
    await offers.locator('[data-offers="financing"]').waitFor({ timeout: 30_000 });
    for (const kind of ['servicePlans', 'accessories', 'financing']) {
      const block = offers.locator(`[data-offers="${kind}"]`);
      expect(await block.getAttribute('data-freshness'), kind).toBe('fresh');
      await block.getByText('Fresh', { exact: true }).waitFor();
    }
    await offers.locator('[data-offers="servicePlans"]').getByText(/Service plan/).first().waitFor();
    await offers.locator('[data-offers="financing"]').getByText(/ a month for \d+ months, .* down, APR \d+\.\d\d%/).first().waitFor();
    await checkA11y(page, 'the owner view with offers');
    await offers.scrollIntoViewIfNeeded();
    await screenshot(page, 'offers');

    // The offers system goes down: a car whose offers were never fetched has them unavailable,
    // and the page says so in words; the rest of the report is there.
    const down = await page.request.put('/dev/chaos/offers', { data: { outage: 'unavailable' }, headers: { 'Content-Type': 'application/json' } });
    expect(down.status()).toBeLessThan(300);
    try {
      const other = freshVin();
      await proveOwnership(other, await token('alice'));
      await page.goto(`/vehicles/${other}`);
      await waitForReport(page);
      await page.getByText('Owner view').first().waitFor();
      await offers.locator('[data-offers="financing"]').waitFor({ timeout: 30_000 });
      for (const kind of ['servicePlans', 'accessories', 'financing']) {
        const block = offers.locator(`[data-offers="${kind}"]`);
        expect(await block.getAttribute('data-freshness'), kind).toBe('unavailable');
        await block.getByText('Unavailable', { exact: true }).waitFor();
        await block.getByText(/The after-sales offers system did not answer, so these offers cannot be shown right now/).waitFor();
      }
      expect(await page.locator('[data-section="build"]').getAttribute('data-freshness')).toBe('fresh');
      await checkA11y(page, 'offers with the offers system down');
      await offers.scrollIntoViewIfNeeded();
      await screenshot(page, 'offers-unavailable');
    } finally {
      await page.request.put('/dev/chaos/offers', { data: {}, headers: { 'Content-Type': 'application/json' } });
    }
  });
});
