import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { storeSession } from '../test-session';
import { jsonResponse, renderWithSite, testConfig } from '../test-utils';
import type { Listing } from '../api/client';
import { ListingView } from './ListingView';
import { EMPTY_DRAFT, activeListingId, previewListing, validateDraft } from './listing';
import { ApiError } from '../api/client';
import SharePage from '../pages/SharePage';
import ManageListingPage from '../pages/ManageListingPage';

const ID = 'abcdefghijklmnopqrstuvwxyz';
const XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">';
const config = { ...testConfig, features: { listings: true, dealer: false, offers: true } };

function listing(over: Partial<Listing> = {}): Listing {
  return {
    id: ID,
    status: 'active',
    shareUrl: `http://localhost/l/${ID}`,
    priceEur: 18500,
    description: 'Well kept.',
    photos: [],
    region: { country: 'DE', postalPrefix: '101' },
    verified: {
      make: { value: 'Volkswagen', source: 'vehicle-master', fetchedAt: '2026-12-06T08:00:00Z' },
      model: { value: 'Golf', source: 'vehicle-master', fetchedAt: '2026-12-06T08:00:00Z' },
      modelYear: { value: 2021, source: 'vehicle-master', fetchedAt: '2026-12-06T08:00:00Z' },
      odometer: { value: { km: 42000, month: '2026-05' }, source: 'workshop', fetchedAt: '2026-12-06T08:00:00Z' },
      snapshotAt: '2026-12-06T08:00:00Z',
    },
    createdAt: '2026-12-06T08:00:00Z',
    updatedAt: '2026-12-06T08:00:00Z',
    ...over,
  };
}

function tagged(status: number, body: unknown, etag: string): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ETag: etag } });
}

function signInAsAlice() {
  storeSession('Alice', ['consumer']);
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe('the seller form rules', () => {
  it('names the field and rule the API would', () => {
    const d = { ...EMPTY_DRAFT, price: '99', description: 'nice <b>car</b>', photos: 'http://x.example/a.jpg', country: 'Germany', postalPrefix: '10115' };
    expect(validateDraft(d)).toEqual([
      { field: 'priceEur', rule: 'range' },
      { field: 'description', rule: 'plain-text' },
      { field: 'photos', rule: 'https' },
      { field: 'region.country', rule: 'iso-3166-alpha2' },
      { field: 'region.postalPrefix', rule: 'prefix-length' },
    ]);
    expect(validateDraft({ ...EMPTY_DRAFT, price: '12.5' })[0]).toEqual({ field: 'priceEur', rule: 'type' });
    expect(validateDraft({ ...EMPTY_DRAFT, price: '18500', postalPrefix: '101', photos: 'https://img.example/a.jpg\n\n' })).toEqual([]);
    // Region is not part of an edit.
    expect(validateDraft({ ...EMPTY_DRAFT, price: '18500', country: '' }, false)).toEqual([]);
  });

  it('reads the active listing a 409 names', () => {
    expect(activeListingId(new ApiError(409, 'CONFLICT', `this vehicle already has an active listing: ${ID}`, 'vin'))).toBe(ID);
    expect(activeListingId(new ApiError(409, 'CONFLICT', "the vehicle's listing is changing; retry"))).toBeNull();
  });
});

describe('ListingView', () => {
  it('renders a description with markup as text', () => {
    renderWithSite(<ListingView listing={listing({ description: XSS })} />);
    expect(screen.getByText(XSS)).toBeTruthy();
    expect(document.querySelector('[data-testid="listing-view"] script, [data-testid="listing-view"] img[src="x"]')).toBeNull();
    expect((window as { __xss?: number }).__xss).toBeUndefined();
  });

  it('is what the preview shows: the same markup for the same listing', () => {
    const draft = { ...EMPTY_DRAFT, price: '18500', description: 'Well kept.', postalPrefix: '101' };
    const l = listing();
    const preview = previewListing(l.verified, draft, l.createdAt);
    const a = renderWithSite(<ListingView listing={{ ...preview, id: l.id, shareUrl: l.shareUrl }} />);
    // Cloudscape's generated element ids differ between renders; everything else must not.
    const norm = (html: string) => html.replace(/(id|for|aria-labelledby|aria-describedby)="[^"]*"/g, '$1=""');
    const previewHtml = norm(a.container.innerHTML);
    a.unmount();
    const b = renderWithSite(<ListingView listing={l} />);
    expect(previewHtml).toBe(norm(b.container.innerHTML));
  });

  it('shows each fact with its source and fetch time, and a missing fact as unavailable', () => {
    renderWithSite(<ListingView listing={listing()} />);
    const odo = document.querySelector<HTMLElement>('[data-fact="odometer"]')!;
    expect(odo.textContent).toContain('42,000 km');
    expect(odo.textContent).toContain('Source: workshop system');
    expect(document.querySelector('[data-fact="service"]')!.textContent).toContain('Not available');
    expect(screen.getByText('€18,500.00')).toBeTruthy();
  });

  it('formats money and dates for German readers', () => {
    renderWithSite(<ListingView listing={listing()} />, { lang: 'de' });
    expect(screen.getByText(/18\.500,00\s€/)).toBeTruthy();
    expect(document.querySelector('[data-fact="odometer"]')!.textContent).toContain('42.000 km');
  });
});

describe('SharePage', () => {
  it('says plainly that a withdrawn listing is gone and an unknown one does not exist', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(410, { error: { code: 'GONE', message: 'withdrawn' } })));
    const a = renderWithSite(<SharePage params={{ id: ID }} />, { config });
    expect(await screen.findByText('This car is no longer for sale')).toBeTruthy();
    a.unmount();
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(404, { error: { code: 'NOT_FOUND', message: 'no such listing' } })));
    renderWithSite(<SharePage params={{ id: ID }} />, { config });
    expect(await screen.findByText('Listing not found')).toBeTruthy();
  });

  it('shows similar cars with score and reasons, and offers with their stale state', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url.endsWith('/similar'))
          return jsonResponse(200, {
            listingId: ID,
            stock: 'available',
            items: [{ itemId: 'st-1', kind: 'stock', make: 'Volkswagen', model: 'Golf', modelYear: 2022, odometerKm: 30000, priceEur: 21000, score: 88, reasons: ['same model', '1 year newer'], dealer: { id: 'd1', name: 'Autohaus Nord', city: 'Hamburg' } }],
          });
        if (url.endsWith('/offers'))
          return jsonResponse(200, { listingId: ID, financing: { source: 'offers', freshness: 'stale', fetchedAt: '2026-12-01T08:00:00Z', offers: [] } });
        return jsonResponse(200, listing());
      }),
    );
    renderWithSite(<SharePage params={{ id: ID }} />, { config });
    expect(await screen.findByText('Match 88/100')).toBeTruthy();
    expect(screen.getByText('1 year newer')).toBeTruthy();
    expect(screen.getByText('At Autohaus Nord, Hamburg')).toBeTruthy();
    expect(await screen.findByText(/may be out of date/)).toBeTruthy();
  });
});

describe('ManageListingPage', () => {
  it('explains a stale edit with the current values and applies the seller’s change on top', async () => {
    signInAsAlice();
    let version = 1;
    const current = listing({ description: 'Changed elsewhere.' });
    const calls: { method: string; ifMatch?: string; body?: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        const h = (init?.headers ?? {}) as Record<string, string>;
        const method = init?.method ?? 'GET';
        calls.push({ method, ...(h['If-Match'] ? { ifMatch: h['If-Match'] } : {}), ...(init?.body ? { body: JSON.parse(init.body as string) as unknown } : {}) });
        if (method === 'GET') return version === 1 ? tagged(200, listing(), '"v1"') : tagged(200, current, '"v2"');
        if (h['If-Match'] === '"v1"') {
          version = 2; // someone else saved in between
          return jsonResponse(412, { error: { code: 'PRECONDITION_FAILED', message: 'the listing changed since it was read' } });
        }
        return tagged(200, { ...current, priceEur: 17000 }, '"v3"');
      }),
    );
    const { container } = renderWithSite(<ManageListingPage params={{ id: ID }} />, { config });
    const input = await waitFor(() => {
      const el = container.querySelector<HTMLInputElement>('input[name="priceEur"]');
      expect(el).toBeTruthy();
      return el!;
    });
    fireEvent.change(input, { target: { value: '17000' } });
    await act(async () => {
      screen.getByRole('button', { name: 'Save changes' }).click();
    });
    const stale = await screen.findByTestId('stale-edit');
    expect(within(stale).getByText('Someone else changed this listing')).toBeTruthy();
    expect(within(stale).getByText('Changed elsewhere.')).toBeTruthy();
    // The seller's price is still in the form.
    expect(input.value).toBe('17000');
    await act(async () => {
      within(stale).getByRole('button', { name: 'Apply my changes to it' }).click();
    });
    expect(await screen.findByText('Your changes are saved.')).toBeTruthy();
    const patches = calls.filter((c) => c.method === 'PATCH');
    expect(patches).toEqual([
      { method: 'PATCH', ifMatch: '"v1"', body: { priceEur: 17000 } },
      { method: 'PATCH', ifMatch: '"v2"', body: { priceEur: 17000 } },
    ]);
  });
});

describe('ManageListingPage share link', () => {
  // In AWS the listing functions need not know the site's origin: the API's shareUrl is then
  // relative to the site. The seller must still see and copy a link that works when pasted.
  async function shown(shareUrl: string): Promise<{ text: string; copied: string[] }> {
    signInAsAlice();
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (s: string) => void copied.push(s) },
    });
    vi.stubGlobal('fetch', vi.fn(async () => tagged(200, listing({ shareUrl }), '"v1"')));
    renderWithSite(<ManageListingPage params={{ id: ID }} />, { config });
    const link = await screen.findByTestId('share-link');
    await act(async () => {
      screen.getByRole('button', { name: 'Copy link' }).click();
    });
    expect(await screen.findByText('Link copied')).toBeTruthy();
    return { text: link.textContent ?? '', copied };
  }

  afterEach(() => {
    delete (navigator as { clipboard?: unknown }).clipboard;
  });

  it('shows and copies a site-relative share URL as an absolute one on this site', async () => {
    const want = `${window.location.origin}/l/${ID}`;
    expect(want).toMatch(/^http:\/\//);
    expect(await shown(`/l/${ID}`)).toEqual({ text: want, copied: [want] });
  });

  it('keeps an absolute share URL as the API gave it', async () => {
    const abs = `https://cars.example.com/l/${ID}`;
    expect(await shown(abs)).toEqual({ text: abs, copied: [abs] });
  });

  it('makes the link on this site when the API gives none', async () => {
    const want = `${window.location.origin}/l/${ID}`;
    expect(await shown('')).toEqual({ text: want, copied: [want] });
  });
});
