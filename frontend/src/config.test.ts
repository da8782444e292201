import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

describe('config.json', () => {
  it('reads the settings; features left out are off', () => {
    const c = parseConfig({ issuer: 'https://id.example/', clientId: 'c', apiBase: '/api/', features: { dealer: true, bogus: true }, local: true });
    expect(c).toEqual({ issuer: 'https://id.example', clientId: 'c', apiBase: '/api', features: { listings: false, dealer: true, offers: false }, local: true });
  });

  it("takes the issuer's endpoints when stated, so no discovery call is needed", () => {
    const c = parseConfig({
      issuer: 'https://cognito-idp.eu-central-1.amazonaws.com/pool',
      clientId: 'c',
      apiBase: '/api',
      oidcEndpoints: { authorization_endpoint: 'https://x.auth.eu-central-1.amazoncognito.com/oauth2/authorize', token_endpoint: 'https://x.auth.eu-central-1.amazoncognito.com/oauth2/token' },
    });
    expect(c.oidcEndpoints?.token_endpoint).toBe('https://x.auth.eu-central-1.amazoncognito.com/oauth2/token');
    expect(() => parseConfig({ issuer: 'i', clientId: 'c', apiBase: '/api', oidcEndpoints: { token_endpoint: 't' } })).toThrow(ConfigError);
  });

  it('is not local unless it says so', () => {
    expect(parseConfig({ issuer: 'i', clientId: 'c', apiBase: '/api', local: 'yes' }).local).toBe(false);
  });

  it('rejects a config without an issuer', () => {
    expect(() => parseConfig({ clientId: 'c', apiBase: '/api' })).toThrow(ConfigError);
    expect(() => parseConfig(null)).toThrow(ConfigError);
  });
});
