/** Small pieces every page uses: the status badge, loading and error states, links. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiProblem } from './api.ts';
import { half, t } from './i18n.ts';
import type { Colour } from './types.ts';

/** The colour is never the only signal: the badge says its word too. */
export function Badge({ colour }: { colour: Colour }) {
  return (
    <span class={`badge badge-${colour}`}>
      <span aria-hidden="true" class="dot" />
      {t(colour)}
    </span>
  );
}

export function Link({ to, children, label }: { to: string; children: ComponentChildren; label?: string }) {
  return (
    <a href={`#${to}`} {...(label ? { 'aria-label': label } : {})}>
      {children}
    </a>
  );
}

export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const text = error instanceof ApiProblem ? `${half(error.detail)} (${error.code})` : String(error);
  return (
    <div class="error" role="alert">
      <p>{text}</p>
      {retry ? (
        <button type="button" onClick={retry}>
          {t('retry')}
        </button>
      ) : null}
    </div>
  );
}

/** Loads with `load`, again on `reload()` or when `deps` change. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

export function Loading() {
  return (
    <p class="muted" aria-live="polite">
      {t('loading')}
    </p>
  );
}
