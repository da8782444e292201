import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { storeSession } from '../test-session';
import SellPage from './SellPage';
import { jsonResponse, renderWithSite, testConfig } from '../test-utils';
import type { Report } from '../api/client';

const VIN = 'TMBJJ7NE1K0300003';
const EXISTING = 'abcdefghijklmnopqrstuvwxyz';
const config = { ...testConfig, features: { listings: true, dealer: false, offers: false } };

const report: Report = {
  vin: VIN,
  access: 'owner',
  build: { source: 'vehicle-master', freshness: 'fresh', fetchedAt: '2026-12-06T08:00:00Z', data: { make: 'Skoda', model: 'Octavia', modelYear: 2019 } },
};

function signIn() {
  storeSession('Alice', ['consumer']);
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe('SellPage', () => {
  it('keeps one Idempotency-Key across a lost answer, explains the API’s errors at their fields, and links an active listing on 409', async () => {
    signIn();
    const posts: { key: string; body: { photos: string[] } }[] = [];
    const answers: (() => Response)[] = [
      () => {
        throw new TypeError('Failed to fetch');
      },
      () => jsonResponse(400, { error: { code: 'INVALID', message: 'a photo URL must not point at a private host', field: 'photos[0]', rule: 'public-host' } }),
      () => jsonResponse(409, { error: { code: 'CONFLICT', message: `this vehicle already has an active listing: ${EXISTING}`, field: 'vin' } }),
    ];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ key: (init.headers as Record<string, string>)['Idempotency-Key']!, body: JSON.parse(init.body as string) as { photos: string[] } });
          return answers.shift()!();
        }
        expect(url).toBe(`/api/vehicles/${VIN}`);
        return jsonResponse(200, report);
      }),
    );
    const { container } = renderWithSite(<SellPage params={{ vin: VIN }} />, { config });
    const field = (name: string) => container.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`)!;
    await waitFor(() => expect(field('priceEur')).toBeTruthy());
    // The preview shows the car's verified facts before anything is sent.
    expect(screen.getAllByText('Skoda Octavia 2019').length).toBeGreaterThan(0);

    // The form's own rules first: nothing is sent.
    await act(async () => screen.getByRole('button', { name: 'List the car' }).click());
    expect(screen.getByText('Enter the price in euros.')).toBeTruthy();
    expect(posts).toHaveLength(0);

    fireEvent.change(field('priceEur'), { target: { value: '12900' } });
    fireEvent.change(field('postalPrefix'), { target: { value: '803' } });
    fireEvent.change(field('photos'), { target: { value: 'https://nas.example.com/car.jpg' } });
    const submit = () => act(async () => screen.getByRole('button', { name: 'List the car' }).click());

    await submit(); // the answer is lost: the listing may exist
    expect(await screen.findByText(/could not reach the server/)).toBeTruthy();
    await submit(); // the retry sends the same key
    expect(await screen.findByText('A photo must be on a public web site, not on a private or local address.')).toBeTruthy();
    await submit(); // after a definite "no" (400) the next attempt is a new request
    expect(await screen.findByText('This car is already listed')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'open the active listing' }).getAttribute('href')).toBe(`/me/listings/${EXISTING}`);

    expect(posts[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1]!.key).toBe(posts[0]!.key);
    expect(posts[2]!.key).not.toBe(posts[1]!.key);
    expect(posts[0]!.body).toMatchObject({ vin: VIN, priceEur: 12900, photos: ['https://nas.example.com/car.jpg'], region: { country: 'DE', postalPrefix: '803' } });
  });

  it('asks a signed-in non-owner to prove ownership first', async () => {
    signIn();
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { ...report, access: 'public' })));
    renderWithSite(<SellPage params={{ vin: VIN }} />, { config });
    expect(await screen.findByText('Prove ownership first')).toBeTruthy();
  });
});
