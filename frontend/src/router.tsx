// A small client-side router: a route table with feature toggles, history navigation and links.
// Pages are loaded with import() so each route's Cloudscape components stay out of the first load.
import { lazy, useSyncExternalStore, type ComponentType, type LazyExoticComponent, type MouseEvent } from 'react';
import type { Feature, SiteConfig } from './config';
import type { MessageKey } from './i18n/types';
import type { Role } from './auth/auth';

export interface PageProps {
  params: Record<string, string>;
}

export interface RouteDef {
  id: string;
  /** "/vehicles/:vin": segments starting with ":" are parameters. */
  path: string;
  /** Shown only when config.json switches this feature on. */
  feature?: Feature;
  /** Shown only in the local stack (development tools). */
  localOnly?: boolean;
  /** In the side navigation, with this label. */
  nav?: MessageKey;
  /** The navigation entry shows only to signed-in callers with this role; the route stays, so a
   * link opened by anyone else gets the page's own explanation instead of "not found". */
  navRole?: Role;
  page: LazyExoticComponent<ComponentType<PageProps>>;
}

export function route(def: Omit<RouteDef, 'page'> & { load: () => Promise<{ default: ComponentType<PageProps> }> }): RouteDef {
  const { load, ...rest } = def;
  return { ...rest, page: lazy(load) };
}

/** enabledRoutes drops the routes whose feature is off, and development tools outside local. */
export function enabledRoutes(routes: RouteDef[], cfg: Pick<SiteConfig, 'features' | 'local'>): RouteDef[] {
  return routes.filter((r) => (!r.feature || cfg.features[r.feature]) && (!r.localOnly || cfg.local));
}

/** navEntries are the enabled routes with a navigation entry for a caller with these roles. */
export function navEntries(routes: RouteDef[], roles: readonly Role[]): RouteDef[] {
  return routes.filter((r) => r.nav && (!r.navRole || roles.includes(r.navRole)));
}

export function matchRoute(routes: RouteDef[], pathname: string): { route: RouteDef; params: Record<string, string> } | null {
  const parts = pathname.replace(/\/+$/, '').split('/').slice(1);
  for (const r of routes) {
    const want = r.path.replace(/\/+$/, '').split('/').slice(1);
    if (want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < want.length && ok; i++) {
      const w = want[i]!;
      const p = parts[i]!;
      if (w.startsWith(':')) {
        try {
          params[w.slice(1)] = decodeURIComponent(p);
        } catch {
          ok = false;
        }
      } else ok = w === p;
    }
    if (ok) return { route: r, params };
  }
  return null;
}

const listeners = new Set<() => void>();
function notify() {
  for (const l of listeners) l();
}
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.scrollTo?.(0, 0);
  notify();
}

function subscribe(cb: () => void) {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** useLocation re-renders on navigation. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const u = new URL(href, 'http://x');
  return { pathname: u.pathname, search: u.search };
}

/** followLink makes a Cloudscape link or button with href navigate inside the site. */
export function followLink(e: CustomEvent<{ href?: string; external?: boolean }> | MouseEvent, href?: string): void {
  const target = href ?? ('detail' in e ? (e as CustomEvent<{ href?: string }>).detail.href : undefined);
  if (!target || ('detail' in e && (e as CustomEvent<{ external?: boolean }>).detail.external)) return;
  e.preventDefault();
  navigate(target);
}
