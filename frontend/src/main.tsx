import '@cloudscape-design/global-styles/index.css';
import './site.css';
import { StrictMode, useMemo } from 'react';
import { createRoot } from 'react-dom/client';
import { loadConfig, type SiteConfig } from './config';
import { I18nProvider, translate, pickLocale } from './i18n';
import { AuthProvider, createUserManager } from './auth/auth';
import { SiteProvider } from './site';
import { App } from './App';

function Root({ config }: { config: SiteConfig }) {
  const manager = useMemo(() => createUserManager(config), [config]);
  return (
    <StrictMode>
      <I18nProvider>
        <AuthProvider manager={manager}>
          <SiteProvider config={config}>
            <App />
          </SiteProvider>
        </AuthProvider>
      </I18nProvider>
    </StrictMode>
  );
}

const root = createRoot(document.getElementById('root')!);
loadConfig()
  .then((config) => root.render(<Root config={config} />))
  .catch(() => {
    // Without settings there is no site; say so in the reader's language, as text.
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.textContent = translate(pickLocale(navigator.languages ?? []), 'config.failed');
    document.getElementById('root')!.replaceChildren(p);
  });
