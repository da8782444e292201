// One test per journey, in real headless Chromium against the real local stack (global-setup.ts).
// Each journey checks accessibility with axe-core on every page it visits and saves screenshots to
// docs/screenshots/ for the README.
import { describe, expect, it } from 'vitest';
import { baseURL, checkA11y, screenshot, signIn, useBrowser, waitForReport } from './browser';
import { validateVin } from '../src/vin';
import { DEMO_CARS } from '../src/demo';

const CLEAN = 'WVWZZZCD3MW100001';
const ROLLBACK = 'WAUZZZFV8GA200002';
const RECALL = 'TMBJJ7NE1K0300003';
const UNKNOWN = 'WVWZZZCD0PW999999';

const open = useBrowser();

describe('the web site', () => {
  it('looks up a car: the VIN field checks as you type, the report shows sources, freshness, rollbacks and recalls', async () => {
    const { page } = await open();
    await page.goto('/');
    await checkA11y(page, 'the lookup page');
    const vin = page.getByLabel('Vehicle identification number (VIN)');
    await vin.fill('WVWZZZCD3MW1O');
    await expect.poll(() => page.getByText('Character 13 is not allowed').count()).toBe(1);
    await checkA11y(page, 'the lookup page with an error');
    await screenshot(page, 'lookup');

    await vin.fill(ROLLBACK.toLowerCase());
    await vin.press('Enter');
    await page.waitForURL(`**/vehicles/${ROLLBACK}`);
    await waitForReport(page);
    await expect.poll(() => page.getByRole('heading', { name: 'Audi A3 2016' }).count()).toBe(1);
    const odometer = page.locator('[data-section="odometer"]');
    await odometer.getByText('The odometer was turned back').waitFor();
    await odometer.getByText('Apr 2022: 94,976 km after 144,935 km had been recorded').waitFor();
    // The chart marks each rollback.
    await odometer.getByText('Rollback Apr 2022').first().waitFor();
    expect(await odometer.locator('svg').count()).toBeGreaterThan(0);
    for (const [id, source] of [
      ['build', 'vehicle master system'],
      ['odometer', 'workshop system'],
      ['recalls', 'recall system'],
      ['service', 'workshop system'],
      ['registration', 'registration registry'],
    ] as const) {
      const s = page.locator(`[data-section="${id}"]`);
      expect(await s.getAttribute('data-freshness'), id).toBe('fresh');
      await s.getByText('Fresh', { exact: true }).waitFor();
      await s.getByText(new RegExp(`Source: ${source} · fetched`)).waitFor();
    }
    // The public view has no personal section.
    expect(await page.locator('[data-section="owner"]').count()).toBe(0);
    await checkA11y(page, 'a report');
    await screenshot(page, 'report', true);
    // Local mode links the trace of this very request: its waterfall names the route.
    const href = await page.getByTestId('trace-link').getAttribute('href');
    expect(href).toMatch(/^\/dev\/traces\/1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    const traced = await page.request.get(new URL(`${href}?format=json`, page.url()).toString());
    expect(traced.status()).toBe(200);
    const waterfall = (await traced.json()) as { spans: { name: string }[] };
    expect(waterfall.spans.map((s) => s.name)).toContain('GET /vehicles/{vin}');

    await page.goto(`/vehicles/${RECALL}`);
    await waitForReport(page);
    const recalls = page.locator('[data-section="recalls"]');
    await recalls.getByText('1 open recall: have it done at a workshop.').waitFor();
    await recalls.locator('table').first().getByText('20K6').waitFor();
    await recalls.locator('table').nth(1).getByText('21K8').waitFor();
    await checkA11y(page, 'a report with an open recall');
    await recalls.scrollIntoViewIfNeeded();
    await screenshot(page, 'recalls');
  });

  it('signs in with the development issuer (Authorization Code + PKCE) and keeps the session in session storage only', async () => {
    const { page } = await open();
    await page.goto(`/vehicles/${CLEAN}`);
    await waitForReport(page);
    await signIn(page, 'Alice (owner)');
    // Back where the sign-in started.
    expect(new URL(page.url()).pathname).toBe(`/vehicles/${CLEAN}`);
    await waitForReport(page);
    await page.getByText('Prove that you own this car', { exact: false }).waitFor();
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    const keys = await page.evaluate(() => Object.keys(sessionStorage));
    expect(keys.some((k) => k.startsWith('oidc.user:'))).toBe(true);
    expect(keys.filter((k) => !k.startsWith('oidc.') && k !== 'lang')).toEqual([]);
    await checkA11y(page, 'a report, signed in');
    await screenshot(page, 'signed-in');

    await page.locator('#top-nav').getByRole('button', { name: /Alice/ }).first().click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.locator('#top-nav').getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('oidc.user:')))).toEqual([]);
  });

  it('proves ownership with a one-time code from the development outbox; the personal sections appear', async () => {
    const { page } = await open();
    await page.goto(`/vehicles/${CLEAN}`);
    await waitForReport(page);
    await signIn(page, 'Alice (owner)');
    await waitForReport(page);
    await page.getByRole('radio', { name: /Send a one-time code/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    const outbox = page.getByRole('link', { name: /Open the development outbox/ });
    await outbox.waitFor();
    await checkA11y(page, 'the code form');

    // A wrong code is explained next to the code field.
    const code = page.getByLabel('Code', { exact: true });
    await code.fill('000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(/You are not allowed to do this\. Details: .*attempt/).waitFor();
    await checkA11y(page, 'the code form with an error');

    const href = await outbox.getAttribute('href');
    expect(href).toBe(`/dev/outbox?vin=${CLEAN}`);
    const sent = (await (await page.request.get(href!)).json()) as { codes: { code: string }[] };
    await code.fill(sent.codes[0]!.code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(/You are confirmed as the owner until/).waitFor();
    const owner = page.locator('[data-section="owner"]');
    await owner.waitFor();
    await owner.getByText('Name').waitFor();
    await page.getByText('Owner view').first().waitFor();
    await page.locator('[data-section="registration"]').getByText('Plate').waitFor();
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await checkA11y(page, 'the owner view');
    await screenshot(page, 'ownership', true);
  });

  it('switches a legacy system off in the chaos panel and the sections it feeds degrade', async () => {
    const { page } = await open();
    await page.goto('/');
    await page.getByRole('link', { name: 'Chaos panel (local)' }).first().click();
    await page.waitForURL('**/chaos');
    const row = page.getByRole('row', { name: /workshop system/ });
    await row.waitFor();
    await checkA11y(page, 'the chaos panel');
    try {
      await row.getByText('Down', { exact: true }).click();
      await page.getByTestId('state-workshop').getByText('Down').waitFor();
      await screenshot(page, 'chaos');
      const fresh = page.getByRole('link', { name: /Look up a car not seen yet/ });
      const vin = /\(([A-Z0-9]{17})\)/.exec((await fresh.textContent()) ?? '')![1]!;
      await fresh.click();
      await page.waitForURL(`**/vehicles/${vin}`);
      await waitForReport(page);
      const service = page.locator('[data-section="service"]');
      expect(await service.getAttribute('data-freshness')).toBe('unavailable');
      await service.getByText('Unavailable', { exact: true }).waitFor();
      await service.getByText(/The workshop system did not answer/).waitFor();
      // The odometer still has the registry's readings: shown, flagged stale.
      const odometer = page.locator('[data-section="odometer"]');
      expect(await odometer.getAttribute('data-freshness')).toBe('stale');
      await odometer.getByText(/^Stale since /).waitFor();
      await odometer.getByText(/The workshop system did not answer just now/).waitFor();
      expect(await page.locator('[data-section="build"]').getAttribute('data-freshness')).toBe('fresh');
      await checkA11y(page, 'a degraded report');
      await screenshot(page, 'chaos-report', true);
    } finally {
      await page.request.put('/dev/chaos/workshop', { data: {}, headers: { 'Content-Type': 'application/json' } });
    }
  });

  it('speaks German, with German numbers, distances and dates', async () => {
    const { page } = await open();
    await page.goto(`/vehicles/${ROLLBACK}`);
    await waitForReport(page);
    await page.getByRole('button', { name: /Language: English/ }).click();
    await page.getByRole('menuitem', { name: 'Deutsch' }).click();
    await page.getByText('Der Tacho wurde zurückgedreht').waitFor();
    await page.getByText('Apr. 2022: 94.976 km, nachdem schon 144.935 km erfasst waren').waitFor();
    await page.getByText('19.05.2016').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    await checkA11y(page, 'a report in German');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'german');
  });

  it('shows API errors in plain words next to the field they name', async () => {
    const { page } = await open();
    // A wrong check digit gets past the alphabet and length but not the domain.
    await page.goto('/vehicles/WVWZZZCD4MW100001');
    const field = page.getByLabel('Vehicle identification number (VIN)');
    await field.waitFor();
    await page.getByText('The check digit (character 9) does not match the other characters. Check for a typo.').waitFor();
    await checkA11y(page, 'a rejected VIN');
    await screenshot(page, 'errors');

    await page.goto(`/vehicles/${UNKNOWN}`);
    await page.getByText('No system knows this car').waitFor();
    await checkA11y(page, 'an unknown car');

    await page.goto('/no/such/page');
    await page.getByText('Page not found').waitFor();
    await checkA11y(page, 'the not-found page');
  });

  it('checks VINs with the same rules as the API', async () => {
    const { page } = await open();
    const vins = [
      'WVWZZZCD3MW10000', // length
      'WVWZZZCD3MW1O0001', // alphabet
      'WVWZZZCD4MW100001', // check digit
      ...DEMO_CARS.map((d) => d.vin),
    ];
    for (const v of vins) {
      const res = await page.request.get(`/api/vehicles/${v}`);
      const body = (await res.json()) as { error?: { rule?: string; field?: string } };
      const ours = validateVin(v);
      if (res.status() === 400) {
        expect(body.error?.field, v).toBe('vin');
        expect(ours?.rule, v).toBe(body.error?.rule);
      } else {
        expect(ours, v).toBeNull();
        expect([200, 404], v).toContain(res.status());
      }
    }
  });

  it('renders a <script> in API-supplied text as text', async () => {
    const { page } = await open();
    const evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
    await page.route(`**/api/vehicles/${RECALL}`, async (route) => {
      const res = await route.fetch();
      const report = (await res.json()) as { recalls: { data: { campaigns: { title: string }[] } } };
      report.recalls.data.campaigns[0]!.title = evil;
      await route.fulfill({ response: res, json: report });
    });
    await page.goto(`/vehicles/${RECALL}`);
    await waitForReport(page);
    await page.getByText(evil, { exact: true }).waitFor();
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('[data-section="recalls"] img[src="x"]').count()).toBe(0);
  });

  it('sends the security headers on every site response and keeps /api, /oidc and /dev apart', async () => {
    const { page } = await open();
    await page.goto('/');
    const script = await page.locator('script[type="module"]').first().getAttribute('src');
    for (const path of ['/', `/vehicles/${CLEAN}`, '/config.json', script!, '/favicon.svg', '/chaos', '/assets/missing.js']) {
      const res = await page.request.get(path);
      const h = res.headers();
      const csp = h['content-security-policy'] ?? '';
      const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
      expect(scriptSrc, path).toBe("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(h['x-content-type-options'], path).toBe('nosniff');
      expect(h['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
    }
    const api = await page.request.get('/api/nope');
    expect(api.status()).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const dev = await page.request.get('/dev/nope');
    expect(dev.status()).toBe(404);
    const cfg = (await (await page.request.get('/config.json')).json()) as { issuer: string; local: boolean };
    expect(cfg.issuer).toBe(`${baseURL()}/oidc`);
    expect(cfg.local).toBe(true);
  });
});
