// A signed-in session for component tests: an oidc-client-ts user in session storage, where the
// AuthProvider finds it, with the roles claim the site reads from the access token.
import { User } from 'oidc-client-ts';
import { testConfig } from './test-utils';
import type { Role } from './auth/auth';

const key = `oidc.user:${testConfig.issuer}:${testConfig.clientId}`;

export function storeSession(name: string, roles: Role[]): void {
  const user = new User({
    access_token: 'h.' + btoa(JSON.stringify({ roles })) + '.s',
    token_type: 'Bearer',
    profile: { sub: name.toLowerCase(), iss: testConfig.issuer, aud: testConfig.clientId, exp: 0, iat: 0, name },
    expires_at: Math.floor(Date.now() / 1000) + 3600,
  });
  sessionStorage.setItem(key, user.toStorageString());
}

export function clearSession(): void {
  sessionStorage.removeItem(key);
}
