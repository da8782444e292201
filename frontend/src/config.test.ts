import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

describe('config.json', () => {
  it('reads the settings; features left out are off', () => {
    const c = parseConfig({ issuer: 'https://id.example/', clientId: 'c', apiBase: '/api/', features: { dealer: true, bogus: true }, local: true });
    expect(c).toEqual({ issuer: 'https://id.example', clientId: 'c', apiBase: '/api', features: { listings: false, dealer: true, offers: false }, local: true });
  });

  it('is not local unless it says so', () => {
    expect(parseConfig({ issuer: 'i', clientId: 'c', apiBase: '/api', local: 'yes' }).local).toBe(false);
  });

  it('rejects a config without an issuer', () => {
    expect(() => parseConfig({ clientId: 'c', apiBase: '/api' })).toThrow(ConfigError);
    expect(() => parseConfig(null)).toThrow(ConfigError);
  });
});
