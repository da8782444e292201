import { createContext, useContext, useMemo, useRef, type ReactNode } from 'react';
import type { SiteConfig } from './config';
import { Api } from './api/client';
import { useAuth } from './auth/auth';

export interface Site {
  config: SiteConfig;
  api: Api;
}

const Ctx = createContext<Site | null>(null);

/** SiteProvider gives pages the configuration and an API client that sends the current token. */
export function SiteProvider({ config, children }: { config: SiteConfig; children: ReactNode }) {
  const { session } = useAuth();
  const token = useRef<string | null>(null);
  token.current = session?.accessToken ?? null;
  const value = useMemo(() => ({ config, api: new Api(config.apiBase, () => token.current) }), [config]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSite(): Site {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSite outside SiteProvider');
  return v;
}
