// The seller and buyer journeys, one test each, in real headless Chromium against the real local
// stack (global-setup.ts starts it with DEMO_LISTINGS=off, so every listing here is made here).
// The walkthrough of the "Done when" makes the listing the buyer and "my listings"
// journeys then read, so sign-ins and ownership proofs are not repeated more than needed.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkA11y, screenshot, signIn, useBrowser, waitForReport } from './browser';

const CLEAN = 'WVWZZZCD3MW100001'; // Golf 2021: dealer stock has Golfs beside it
const RECALL = 'TMBJJ7NE1K0300003';

// Photos point at hosts the test machine cannot reach: their load errors are not problems.
const open = useBrowser({ ignore: /ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|net::/ });
/** The listing the walkthrough made (CLEAN), read by the buyer and "my listings" journeys. */
let sharedId = '';

/** proveOwnership takes alice through the owner-code challenge unless she is already the owner. */
async function proveOwnership(page: Page, vin: string): Promise<void> {
  await waitForReport(page);
  const start = page.getByRole('button', { name: 'Continue' });
  const owner = page.getByRole('link', { name: 'Sell this car' });
  await start.or(owner).first().waitFor();
  if (await owner.count()) return;
  await page.getByRole('radio', { name: /Send a one-time code/ }).check();
  await start.click();
  const outbox = page.getByRole('link', { name: /Open the development outbox/ });
  await outbox.waitFor();
  const sent = (await (await page.request.get(`/dev/outbox?vin=${vin}`)).json()) as { codes: { code: string }[] };
  await page.getByLabel('Code', { exact: true }).fill(sent.codes[sent.codes.length - 1]!.code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText(/You are confirmed as the owner until/).waitFor();
}

async function fillListing(page: Page, f: { price: string; description: string; photos?: string; postal?: string }) {
  await page.getByLabel('Price (EUR)').fill(f.price);
  await page.getByLabel('Description').fill(f.description);
  if (f.photos !== undefined) await page.getByLabel('Photos').fill(f.photos);
  if (f.postal !== undefined) await page.getByLabel('Postal code prefix').fill(f.postal);
}

function accessToken(page: Page): Promise<string> {
  return page.evaluate(() => {
    const k = Object.keys(sessionStorage).find((x) => x.startsWith('oidc.user:'))!;
    return (JSON.parse(sessionStorage.getItem(k)!) as { access_token: string }).access_token;
  });
}

describe('listings', () => {
  it('walks through "Done when": look up a demo VIN, sign in as alice, prove ownership, list the car, open the share link in a private window and see similar dealer cars', async () => {
    const { page } = await open();
    await page.goto('/');
    await page.getByRole('link', { name: CLEAN }).click();
    await page.waitForURL(`**/vehicles/${CLEAN}`);
    await waitForReport(page);
    await signIn(page, 'Alice (owner)');
    await proveOwnership(page, CLEAN);
    await page.getByRole('link', { name: 'Sell this car' }).click();
    await page.waitForURL(`**/vehicles/${CLEAN}/sell`);
    await fillListing(page, { price: '18500', description: 'One owner, full service history.', postal: '101' });
    await page.getByRole('button', { name: 'List the car' }).click();
    await page.getByText('Your car is listed.').waitFor();
    const share = await page.getByTestId('share-link').textContent();
    const m = /\/l\/([a-z2-7]{26})$/.exec(share ?? '');
    expect(m, `share link ${share}`).not.toBeNull();
    sharedId = m![1]!;

    // A private window: a new browser context, nothing shared, nobody signed in.
    const buyer = await open();
    await buyer.page.goto(new URL(share!).pathname);
    await buyer.page.getByTestId('verified-facts').waitFor();
    const similar = buyer.page.getByTestId('similar-cars');
    await similar.getByText(/^Match \d+\/100$/).first().waitFor();
    await similar.getByText(/^At .+/).first().waitFor();
    expect(await buyer.page.locator('#top-nav').getByRole('button', { name: 'Sign in' }).count()).toBe(1);
  });

  it('sells: lists a car with a preview, copies the share link, edits, explains a stale edit, withdraws', async () => {
    const { page, context } = await open();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(`/vehicles/${RECALL}`);
    await waitForReport(page);
    await signIn(page, 'Alice (owner)');
    await proveOwnership(page, RECALL);
    await page.getByRole('link', { name: 'Sell this car' }).click();
    await page.waitForURL(`**/vehicles/${RECALL}/sell`);
    const preview = page.getByTestId('listing-preview');
    await preview.getByTestId('verified-facts').waitFor();
    await checkA11y(page, 'the sell form');

    // Markup in the description: the preview shows it as text, the form explains the API's rule.
    const evil = '<script>window.__xss=1</script>';
    await fillListing(page, { price: '12900', description: evil, photos: 'https://photos.example.com/octavia-front.jpg', postal: '803' });
    await preview.getByText(evil, { exact: true }).waitFor();
    await page.getByRole('button', { name: 'List the car' }).click();
    await page.getByText('The description must be plain text: no < or > and no control characters.').waitFor();
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();

    await page.getByLabel('Description').fill('Octavia estate, recall done at the dealer next week.');
    await preview.getByText('Octavia estate, recall done at the dealer next week.').waitFor();
    await preview.getByText('€12,900.00').waitFor();
    expect(await preview.locator('img[src="https://photos.example.com/octavia-front.jpg"]').count()).toBe(1);
    await screenshot(page, 'sell', true);
    // A double click creates one listing: the form sends its one Idempotency-Key.
    await page.getByRole('button', { name: 'List the car' }).dblclick();
    await page.getByText('Your car is listed.').waitFor();
    const id = /\/me\/listings\/([a-z2-7]{26})/.exec(page.url())![1]!;
    await checkA11y(page, 'a new listing');

    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('Link copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(new RegExp(`/l/${id}$`));

    // Edit the price.
    await page.getByLabel('Price (EUR)').fill('12500');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Your changes are saved.').waitFor();

    // Someone changes it elsewhere (another device): this page's ETag is now stale.
    const token = await accessToken(page);
    const now = await page.request.get(`/api/listings/${id}`);
    const changed = await page.request.patch(`/api/listings/${id}`, {
      headers: { Authorization: `Bearer ${token}`, 'If-Match': now.headers()['etag']!, 'Content-Type': 'application/json' },
      data: { description: 'Changed on the phone.' },
    });
    expect(changed.status()).toBe(200);
    await page.getByLabel('Price (EUR)').fill('12000');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const stale = page.getByTestId('stale-edit');
    await stale.getByText('Someone else changed this listing').waitFor();
    await stale.getByText('Changed on the phone.').waitFor();
    await checkA11y(page, 'a stale edit');
    await screenshot(page, 'sell-stale-edit');
    await stale.getByRole('button', { name: 'Apply my changes to it' }).click();
    await page.getByText('Your changes are saved.').waitFor();
    const after = (await (await page.request.get(`/api/listings/${id}`)).json()) as { priceEur: number; description: string };
    expect(after).toMatchObject({ priceEur: 12000, description: 'Changed on the phone.' });

    // Only one listing was made for this car, double click and all.
    const mine = (await (await page.request.get('/api/me/listings', { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      listings: { id: string; status: string }[];
    };
    expect(mine.listings.filter((l) => l.status === 'active').map((l) => l.id)).toContain(id);

    await page.getByTestId('withdraw').click();
    await page.getByRole('dialog').getByText('Withdraw this listing?').waitFor();
    await checkA11y(page, 'the withdraw confirmation');
    await page.getByTestId('confirm-withdraw').click();
    await page.getByText('This listing was withdrawn.').first().waitFor();
    expect((await page.request.get(`/api/listings/${id}`)).status()).toBe(410);
    await page.goto(`/l/${id}`);
    await page.getByText('This car is no longer for sale').waitFor();
    await checkA11y(page, 'a withdrawn share page');
  });

  it('buys: the share link in a private window shows verified facts, similar dealer cars with reasons, and offers', async () => {
    expect(sharedId, 'the walkthrough made a listing').not.toBe('');
    const { page } = await open();
    await page.goto(`/l/${sharedId}`);
    const facts = page.getByTestId('verified-facts');
    await facts.waitFor();
    await facts.locator('[data-fact="make"]').getByText('Volkswagen').waitFor();
    await facts.locator('[data-fact="odometer"]').getByText(/Source: .* · fetched/).waitFor();
    await page.getByText('One owner, full service history.').waitFor();
    const similar = page.getByTestId('similar-cars');
    await similar.getByTestId('similar-reasons').first().waitFor();
    expect((await similar.getByTestId('similar-reasons').first().textContent())?.length).toBeGreaterThan(0);
    const offers = page.getByTestId('offers');
    await offers.getByText(/Source: after-sales offers system|did not answer|No financing offers/).first().waitFor();
    await checkA11y(page, 'the share page');
    await screenshot(page, 'buy', true);

    // A click on a dealer car is counted, then the dealer's page opens.
    const card = similar.getByRole('button', { name: "View at the dealer's site" }).first();
    const clicks: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/similar/')) clicks.push(r.url());
    });
    await page.route((u) => !u.href.startsWith(new URL(page.url()).origin), (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Dealer</title><h1>Dealer page</h1>' }),
    );
    await card.click();
    await page.waitForURL((u) => !u.pathname.startsWith('/l/'));
    expect(clicks).toHaveLength(1);
    await page.unrouteAll();

    // Unknown listing: a plain page.
    await page.goto('/l/aaaaaaaaaaaaaaaaaaaaaaaaaa');
    await page.getByText('Listing not found').waitFor();
    await checkA11y(page, 'an unknown share page');

    // The share page's HTML carries the listing's Open Graph tags without JavaScript.
    const html = await (await page.request.get(`/l/${sharedId}`)).text();
    expect(html).toMatch(/<meta property="og:title" content="Volkswagen Golf 2021 · 18,500 EUR" \/>/);
    expect(html).toContain(`<meta property="og:url" content="`);
    expect(html).toContain('<meta property="og:description" content="One owner, full service history." />');

    // A description with markup (the API refuses < and >, so it is put into the answer here)
    // renders as text on the share page.
    const evil = '<script>window.__xss=1</script>';
    await page.route(`**/api/listings/${sharedId}`, async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { description: string };
      body.description = evil;
      await route.fulfill({ response: res, json: body });
    });
    await page.goto(`/l/${sharedId}`);
    await page.getByText(evil, { exact: true }).waitFor();
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('lists my listings with their status', async () => {
    const { page } = await open();
    await page.goto('/');
    expect(await page.getByRole('link', { name: 'My listings' }).count()).toBe(0);
    await signIn(page, 'Alice (owner)');
    await page.getByRole('link', { name: 'My listings' }).first().click();
    await page.waitForURL('**/me/listings');
    const table = page.getByRole('table');
    await table.getByRole('row', { name: /Volkswagen Golf 2021.*Active/ }).waitFor();
    await table.getByRole('row', { name: /Skoda Octavia 2019.*Withdrawn/ }).waitFor();
    await checkA11y(page, 'my listings');
    await screenshot(page, 'my-listings');
  });
});
