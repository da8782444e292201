import type { ReactNode } from 'react';
import { render } from '@testing-library/react';
import { vi } from 'vitest';
import { I18nProvider } from './i18n';
import { AuthProvider, createUserManager } from './auth/auth';
import { SiteProvider } from './site';
import type { SiteConfig } from './config';

export const testConfig: SiteConfig = {
  issuer: 'http://127.0.0.1:1/oidc',
  clientId: 'test',
  apiBase: '/api',
  features: { listings: false, dealer: false, offers: false },
  local: true,
};

export function renderWithSite(ui: ReactNode, { config = testConfig, lang = 'en' }: { config?: SiteConfig; lang?: string } = {}) {
  const manager = createUserManager(config, 'http://localhost');
  return render(
    <I18nProvider initial={lang}>
      <AuthProvider manager={manager}>
        <SiteProvider config={config}>{ui}</SiteProvider>
      </AuthProvider>
    </I18nProvider>,
  );
}

/** jsonResponse builds what fetch resolves to. */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-1' } });
}

/** stubFetch answers every request with status and body, and returns the mock to inspect the calls. */
export function stubFetch(status: number, body: unknown) {
  const f = vi.fn(async (_url: string, _init?: RequestInit) => jsonResponse(status, body));
  vi.stubGlobal('fetch', f);
  return f;
}
