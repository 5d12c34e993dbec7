/**
 * The district console: a single page over the hub's `/v1` API, routed by the address's hash
 * (`#/school/79NB0001`), so the hub serves one page and every view can be bookmarked.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, loadCredential, saveCredential, whenUnauthorized } from './api.ts';
import { type ConsoleConfig, finishSignIn, loadConfig } from './auth.ts';
import { lang, setLang, t, useLang } from './i18n.ts';
import { LoginPage } from './pages/login.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { isReportName, ReportsPage } from './pages/reports.tsx';
import { RunPage } from './pages/run.tsx';
import { SchoolPage } from './pages/school.tsx';
import type { Principal } from './types.ts';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const update = () => {
      setHash(location.hash.slice(1) || '/');
      // A new view: keyboard and screen-reader users start at its heading.
      requestAnimationFrame(() => document.getElementById('main')?.focus());
    };
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return hash;
}

function Page({ path }: { path: string }) {
  const school = /^\/school\/([^/]+)$/.exec(path);
  if (school) return <SchoolPage code={decodeURIComponent(school[1]!)} />;
  const run = /^\/run\/([0-9a-f-]{36})$/.exec(path);
  if (run) return <RunPage id={run[1]!} />;
  const reports = /^\/reports(?:\/([a-z]+))?(?:\?(.*))?$/.exec(path);
  if (reports) {
    const name = reports[1] ?? 'district';
    if (isReportName(name)) return <ReportsPage name={name} query={reports[2] ?? ''} />;
  }
  if (path === '/') return <OverviewPage />;
  return <h1>{t('notFound')}</h1>;
}

function Shell({ config, signInError }: { config: ConsoleConfig; signInError: string | undefined }) {
  useLang();
  const path = useHash();
  const [principal, setPrincipal] = useState<Principal | null | undefined>(undefined);
  useEffect(() => {
    whenUnauthorized(() => {
      saveCredential(undefined);
      setPrincipal(null);
    });
    if (!loadCredential()) {
      setPrincipal(null);
      return;
    }
    api<Principal>('/whoami').then(setPrincipal, () => setPrincipal(null));
  }, []);
  const signOut = () => {
    const wasToken = loadCredential()?.kind === 'token';
    saveCredential(undefined);
    setPrincipal(null);
    if (wasToken && config.sso) location.assign(config.sso.endSessionEndpoint);
  };
  return (
    <>
      <a class="skip" href="#main">
        {t('skip')}
      </a>
      <header class="top">
        <span class="brand">EduBridge</span>
        {principal ? (
          <nav aria-label={t('mainNav')}>
            <a href="#/" aria-current={path === '/' ? 'page' : undefined}>
              {t('district')}
            </a>
            <a href="#/reports" aria-current={path.startsWith('/reports') ? 'page' : undefined}>
              {t('reports')}
            </a>
          </nav>
        ) : null}
        <span class="spacer" />
        {principal ? (
          <span class="who" data-testid="who">
            {t('signedInAs')}: {principal.role}
          </span>
        ) : null}
        <button
          type="button"
          class="link"
          onClick={() => setLang(lang() === 'vi' ? 'en' : 'vi')}
          data-testid="lang"
        >
          {t('language')}
        </button>
        {principal ? (
          <button type="button" class="link" onClick={signOut}>
            {t('signOut')}
          </button>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        {principal === undefined ? null : principal === null ? (
          <LoginPage
            config={config}
            error={signInError}
            onSignedIn={() => api<Principal>('/whoami').then(setPrincipal)}
          />
        ) : (
          <Page path={path} />
        )}
      </main>
    </>
  );
}

async function start() {
  document.documentElement.lang = lang();
  const config = await loadConfig();
  const signInError = await finishSignIn(config);
  const root = document.getElementById('app')!;
  // The "loading" line the page was served with goes: render() diffs against what is there.
  root.replaceChildren();
  render(<Shell config={config} signInError={signInError} />, root);
}

void start();
