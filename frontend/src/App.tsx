import { Component, Suspense, useMemo, type ReactNode } from 'react';
import AppLayout from '@cloudscape-design/components/app-layout';
import TopNavigation from '@cloudscape-design/components/top-navigation';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import Spinner from '@cloudscape-design/components/spinner';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import { enabledRoutes, followLink, matchRoute, navEntries, useLocation, type RouteDef } from './router';
import { routes as allRoutes } from './routes';
import { useI18n, LOCALES } from './i18n';
import { useAuth } from './auth/auth';
import { useSite } from './site';
import NotFoundPage from './pages/NotFoundPage';

class PageBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

export function App({ routes = allRoutes }: { routes?: RouteDef[] }) {
  const { config } = useSite();
  const { t, locale, setLocale } = useI18n();
  const { session, signIn, signOut } = useAuth();
  const { pathname } = useLocation();
  const enabled = useMemo(() => enabledRoutes(routes, config), [routes, config]);
  const match = matchRoute(enabled, pathname);
  const Page = match?.route.page;

  const userMenu = session
    ? {
        type: 'menu-dropdown' as const,
        text: session.name,
        description: t('auth.signedInAs', { name: session.name }),
        iconName: 'user-profile' as const,
        items: [
          ...session.roles.map((r) => ({ id: `role-${r}`, text: t(`auth.role.${r}`), disabled: true })),
          { id: 'signout', text: t('auth.signOut') },
        ],
        onItemClick: (e: CustomEvent<{ id: string }>) => {
          if (e.detail.id === 'signout') void signOut();
        },
      }
    : { type: 'button' as const, text: t('auth.signIn'), onClick: () => void signIn() };

  return (
    <>
      <div id="top-nav">
        <TopNavigation
          identity={{ href: '/', title: t('app.title'), onFollow: (e) => followLink(e) }}
          utilities={[
            {
              type: 'menu-dropdown',
              text: locale.name,
              ariaLabel: `${t('nav.language')}: ${locale.name}`,
              iconName: 'globe',
              items: LOCALES.map((l) => ({ id: l.tag, text: l.name, lang: l.tag })),
              onItemClick: (e) => setLocale(e.detail.id),
            },
            userMenu,
          ]}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        toolsHide
        navigation={
          <SideNavigation
            header={{ href: '/', text: t('app.title') }}
            activeHref={match ? pathname : undefined}
            onFollow={(e) => followLink(e)}
            items={navEntries(enabled, session?.roles ?? []).map((r) => ({ type: 'link' as const, text: t(r.nav!), href: r.path }))}
          />
        }
        ariaLabels={{ navigation: t('nav.label') }}
        content={
          Page ? (
            <PageBoundary key={match.route.id} fallback={<Alert type="error">{t('page.failed')}</Alert>}>
              <Suspense
                fallback={
                  <Box padding="l" textAlign="center">
                    <Spinner size="large" /> {t('page.loading')}
                  </Box>
                }
              >
                <Page params={match.params} />
              </Suspense>
            </PageBoundary>
          ) : (
            <NotFoundPage />
          )
        }
      />
    </>
  );
}
