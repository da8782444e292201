// Sign-in with OpenID Connect: Authorization Code + PKCE (oidc-client-ts) against the development
// issuer locally and Cognito's hosted UI in AWS. The session lives in sessionStorage only (user and
// sign-in state): it ends with the tab, and nothing else is stored.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { SiteConfig } from '../config';

export const CALLBACK_PATH = '/auth/callback';

export type Role = 'consumer' | 'dealer';

export interface Session {
  name: string;
  roles: Role[];
  accessToken: string;
}

export interface Auth {
  session: Session | null;
  ready: boolean;
  signIn(returnTo?: string): Promise<void>;
  signOut(): Promise<void>;
  /** completeSignIn finishes the redirect on CALLBACK_PATH and returns where to go next. */
  completeSignIn(): Promise<string>;
}

export function createUserManager(cfg: SiteConfig, origin: string = window.location.origin): UserManager {
  const store = new WebStorageStateStore({ store: window.sessionStorage });
  return new UserManager({
    authority: cfg.issuer,
    ...(cfg.oidcEndpoints ? { metadata: { issuer: cfg.issuer, ...cfg.oidcEndpoints } } : {}),
    client_id: cfg.clientId,
    redirect_uri: origin + CALLBACK_PATH,
    post_logout_redirect_uri: origin + '/',
    response_type: 'code',
    scope: 'openid',
    loadUserInfo: false,
    // No silent renew: it needs an iframe, which frame-ancestors 'none' on the issuer side (and
    // ours) rules out. A session lasts as long as its token; then the user signs in again.
    automaticSilentRenew: false,
    monitorSession: false,
    userStore: store,
    stateStore: store,
  });
}

/** rolesOf reads the roles claim of an access token (a JWT); the API checks it, this only shows. */
export function rolesOf(accessToken: string): Role[] {
  try {
    const part = accessToken.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const roles = (JSON.parse(json) as { roles?: unknown }).roles;
    return Array.isArray(roles) ? roles.filter((r): r is Role => r === 'consumer' || r === 'dealer') : [];
  } catch {
    return [];
  }
}

export function sessionOf(user: User | null): Session | null {
  if (!user || user.expired) return null;
  const p = user.profile as Record<string, unknown>;
  const name = [p.name, p.preferred_username, p.sub].find((v): v is string => typeof v === 'string' && v !== '') ?? '';
  return { name, roles: rolesOf(user.access_token), accessToken: user.access_token };
}

const Ctx = createContext<Auth | null>(null);

export function AuthProvider({ manager, children }: { manager: UserManager; children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let live = true;
    manager
      .getUser()
      .then((u) => live && setSession(sessionOf(u)))
      .catch(() => live && setSession(null))
      .finally(() => live && setReady(true));
    const onLoaded = (u: User) => setSession(sessionOf(u));
    const onGone = () => setSession(null);
    manager.events.addUserLoaded(onLoaded);
    manager.events.addUserUnloaded(onGone);
    manager.events.addAccessTokenExpired(onGone);
    return () => {
      live = false;
      manager.events.removeUserLoaded(onLoaded);
      manager.events.removeUserUnloaded(onGone);
      manager.events.removeAccessTokenExpired(onGone);
    };
  }, [manager]);

  const signIn = useCallback(
    (returnTo?: string) =>
      manager.signinRedirect({ state: { returnTo: returnTo ?? window.location.pathname + window.location.search } }),
    [manager],
  );
  // The development issuer has no end-session endpoint, and Cognito's logout would leave the
  // origin: forgetting the tokens ends the session here.
  const signOut = useCallback(() => manager.removeUser(), [manager]);
  const completeSignIn = useCallback(async () => {
    const u = await manager.signinRedirectCallback();
    setSession(sessionOf(u));
    const returnTo = (u.state as { returnTo?: unknown } | undefined)?.returnTo;
    // Only a path on this site: never an open redirect.
    return typeof returnTo === 'string' && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/';
  }, [manager]);

  const value = useMemo(() => ({ session, ready, signIn, signOut, completeSignIn }), [session, ready, signIn, signOut, completeSignIn]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): Auth {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
