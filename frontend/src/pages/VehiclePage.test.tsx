import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import createWrapper from '@cloudscape-design/components/test-utils/dom';
import VehiclePage from './VehiclePage';
import { storeSession } from '../test-session';
import { jsonResponse, renderWithSite, testConfig } from '../test-utils';
import type { Report } from '../api/client';

const VIN = 'TMBJJ7NE1K0300003';

function report(overrides: Partial<Report> = {}): Report {
  return {
    vin: VIN,
    access: 'public',
    make: 'Skoda',
    modelYear: 2019,
    build: {
      source: 'vehicle-master',
      freshness: 'fresh',
      fetchedAt: '2026-12-06T08:00:00Z',
      data: { make: 'Skoda', model: 'Octavia', modelYear: 2019 },
    },
    serviceHistory: { source: 'workshop', freshness: 'unavailable' },
    odometer: { source: 'workshop', freshness: 'unavailable' },
    recalls: {
      source: 'recalls',
      freshness: 'stale',
      fetchedAt: '2026-11-01T10:00:00Z',
      data: {
        openCount: 1,
        campaigns: [
          { id: '20K6', status: 'open', title: '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">' },
          { id: '21K8', status: 'completed', title: 'Seat belt', completedOn: '2021-05-02' },
        ],
      },
    },
    registration: { source: 'registry', freshness: 'fresh', fetchedAt: '2026-12-06T08:00:00Z', data: { ownerCount: 2 } },
    ...overrides,
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('VehiclePage', () => {
  it('names the source that did not answer when the odometer is stale from the other one', async () => {
    const odometer: Report['odometer'] = {
      source: 'registry',
      freshness: 'stale',
      fetchedAt: '2026-12-06T08:00:00Z',
      data: {
        readings: [{ month: '2021-03', km: 12000, source: 'registry' }],
        rollbackDetected: false,
        inputs: [
          { source: 'workshop', freshness: 'unavailable' },
          { source: 'registry', freshness: 'fresh', fetchedAt: '2026-12-06T08:00:00Z' },
        ],
      },
    };
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, report({ odometer }))));
    renderWithSite(<VehiclePage params={{ vin: VIN }} />);
    await screen.findByRole('heading', { name: 'Skoda Octavia 2019' });
    const section = document.querySelector<HTMLElement>('[data-section="odometer"]')!;
    expect(within(section).getByText(/The workshop system did not answer just now/)).toBeTruthy();
    expect(within(section).queryByText(/The registry .* did not answer/)).toBeNull();
  });

  it('shows each section with its source, freshness, and the stale and unavailable states', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, report())));
    renderWithSite(<VehiclePage params={{ vin: VIN }} />);
    expect(await screen.findByRole('heading', { name: 'Skoda Octavia 2019' })).toBeTruthy();

    const section = (id: string) => document.querySelector<HTMLElement>(`[data-section="${id}"]`)!;
    expect(within(section('build')).getByText('Fresh')).toBeTruthy();
    expect(within(section('build')).getByText(/Source: vehicle master system/)).toBeTruthy();
    expect(within(section('service')).getByText('Unavailable')).toBeTruthy();
    expect(within(section('service')).getByText(/The workshop system did not answer/)).toBeTruthy();
    expect(within(section('recalls')).getByText(/Stale since Nov 1, 2026/)).toBeTruthy();
    expect(within(section('recalls')).getByText('1 open recall: have it done at a workshop.')).toBeTruthy();
    expect(within(section('recalls')).getByText('Open recalls')).toBeTruthy();
    expect(within(section('recalls')).getByText('Completed recalls')).toBeTruthy();
    expect(within(section('registration')).getByText('2 owners')).toBeTruthy();
    // Personal sections are absent from the public view, and the page says why.
    expect(section('owner')).toBeNull();
    expect(screen.getByText(/shown only to the owner/)).toBeTruthy();
  });

  it('renders markup in API text as text', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, report())));
    renderWithSite(<VehiclePage params={{ vin: VIN }} />);
    expect(await screen.findByText('<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">')).toBeTruthy();
    expect(document.querySelector('[data-section="recalls"] script, [data-section="recalls"] img')).toBeNull();
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('shows the API’s VIN rule next to the VIN field', async () => {
    vi.stubGlobal('fetch', vi.fn(async () =>
      jsonResponse(400, { error: { code: 'INVALID', message: 'the check digit (character 9) does not match the other characters', field: 'vin', rule: 'check-digit' } }),
    ));
    const { container } = renderWithSite(<VehiclePage params={{ vin: 'WVWZZZCD4MW100001' }} />);
    await waitFor(() => expect(createWrapper(container).findFormField()).toBeTruthy());
    expect(createWrapper(container).findFormField()!.findError()!.getElement().textContent).toContain('check digit (character 9)');
  });

  it('says plainly when no system knows the car, and offers a retry when the API fails', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(404, { error: { code: 'NOT_FOUND', message: 'no such vehicle' } })));
    renderWithSite(<VehiclePage params={{ vin: 'WVWZZZCD0PW999999' }} />);
    expect(await screen.findByText('No system knows this car')).toBeTruthy();

    const fetchMock = vi.fn(async () => jsonResponse(504, { error: { code: 'TIMEOUT', message: 'the work did not finish in time' } }));
    vi.stubGlobal('fetch', fetchMock);
    renderWithSite(<VehiclePage params={{ vin: VIN }} />);
    expect(await screen.findByText(/took too long to answer/)).toBeTruthy();
    fetchMock.mockImplementation(async () => jsonResponse(200, report()));
    screen.getByRole('button', { name: 'Try again' }).click();
    expect(await screen.findByRole('heading', { name: 'Skoda Octavia 2019' })).toBeTruthy();
  });

  it('tells the reader when slow systems keep them waiting', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>(() => {})));
    renderWithSite(<VehiclePage params={{ vin: VIN }} />);
    expect(screen.getByText(/Asking the manufacturer/)).toBeTruthy();
    expect(screen.queryByText(/older systems are slow/)).toBeNull();
    await vi.advanceTimersByTimeAsync(3000);
    expect(screen.getByText(/older systems are slow/)).toBeTruthy();
  });

  it('forgets an expired sign-in and shows the public view instead of failing', async () => {
    storeSession('Alice', ['consumer']);
    const fetchMock = vi.fn(async (_url: string, init?: RequestInit) =>
      (init?.headers as Record<string, string>).Authorization
        ? jsonResponse(401, { error: { code: 'UNAUTHENTICATED', message: 'token expired' } })
        : jsonResponse(200, report()),
    );
    vi.stubGlobal('fetch', fetchMock);
    renderWithSite(<VehiclePage params={{ vin: VIN }} />);
    expect(await screen.findByRole('heading', { name: 'Skoda Octavia 2019' })).toBeTruthy();
    expect(fetchMock.mock.calls.some(([, init]) => (init?.headers as Record<string, string>).Authorization)).toBe(true);
    expect(sessionStorage.getItem(`oidc.user:${testConfig.issuer}:${testConfig.clientId}`)).toBeNull();
  });
});
