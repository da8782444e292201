// The site's configuration, /config.json: written by the CDK app per AWS environment, served by
// the local stack from config/features/local.json and the development issuer.

export const FEATURES = ['listings', 'dealer', 'offers'] as const;
export type Feature = (typeof FEATURES)[number];

export interface SiteConfig {
  /** The OIDC issuer (the development issuer locally, Cognito in AWS). */
  issuer: string;
  clientId: string;
  /** Where the API is, on the same origin: "/api". */
  apiBase: string;
  features: Record<Feature, boolean>;
  /** Only the local stack: development tools (outbox link, chaos panel) are shown. */
  local: boolean;
  /**
   * The issuer's endpoints, when config.json states them: the site then skips OIDC discovery.
   * Cognito serves discovery on cognito-idp.<region>.amazonaws.com but its endpoints on the
   * hosted UI's domain; stating them keeps the CSP's connect-src to that one domain.
   */
  oidcEndpoints?: { authorization_endpoint: string; token_endpoint: string; end_session_endpoint?: string };
}

export class ConfigError extends Error {}

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new ConfigError(`config.json: ${key} must be a non-empty string`);
  return v;
}

/** parseConfig checks config.json; a feature left out is off. */
export function parseConfig(raw: unknown): SiteConfig {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError('config.json is not an object');
  const o = raw as Record<string, unknown>;
  const f = (typeof o.features === 'object' && o.features !== null ? o.features : {}) as Record<string, unknown>;
  const features = Object.fromEntries(FEATURES.map((k) => [k, f[k] === true])) as Record<Feature, boolean>;
  let oidcEndpoints: SiteConfig['oidcEndpoints'];
  if (typeof o.oidcEndpoints === 'object' && o.oidcEndpoints !== null) {
    const e = o.oidcEndpoints as Record<string, unknown>;
    oidcEndpoints = { authorization_endpoint: str(e, 'authorization_endpoint'), token_endpoint: str(e, 'token_endpoint') };
    if (typeof e.end_session_endpoint === 'string') oidcEndpoints.end_session_endpoint = e.end_session_endpoint;
  }
  return {
    ...(oidcEndpoints ? { oidcEndpoints } : {}),
    issuer: str(o, 'issuer').replace(/\/+$/, ''),
    clientId: str(o, 'clientId'),
    apiBase: str(o, 'apiBase').replace(/\/+$/, ''),
    features,
    local: o.local === true,
  };
}

export async function loadConfig(fetchFn: typeof fetch = fetch): Promise<SiteConfig> {
  const res = await fetchFn('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new ConfigError(`config.json: HTTP ${res.status}`);
  return parseConfig(await res.json());
}
