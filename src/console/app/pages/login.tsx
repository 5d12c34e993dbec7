/** Sign-in: VNeID through the hub's relay when the hub offers it, or an API key. */
import { useState } from 'preact/hooks';
import { api, saveCredential } from '../api.ts';
import { type ConsoleConfig, startSignIn } from '../auth.ts';
import { t, useLang } from '../i18n.ts';
import type { Principal } from '../types.ts';
import { ErrorBox } from '../ui.tsx';

export function LoginPage({
  config,
  error,
  onSignedIn,
}: {
  config: ConsoleConfig;
  error?: string | undefined;
  onSignedIn: () => void;
}) {
  useLang();
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<unknown>(error);
  const submit = async (event: Event) => {
    event.preventDefault();
    saveCredential({ kind: 'key', key: key.trim() });
    try {
      await api<Principal>('/whoami');
      onSignedIn();
    } catch (e) {
      saveCredential(undefined);
      setProblem(e);
    }
  };
  return (
    <section class="login" aria-labelledby="login-title">
      <h1 id="login-title">{t('signIn')}</h1>
      {problem ? <ErrorBox error={problem} /> : null}
      {config.sso ? (
        <p>
          <button type="button" class="primary" onClick={() => startSignIn(config.sso!)} data-testid="vneid">
            {t('signInVneid')}
          </button>
        </p>
      ) : (
        <p class="muted">{t('ssoOff')}</p>
      )}
      <form onSubmit={submit}>
        <h2>{t('signInKey')}</h2>
        <label>
          {t('apiKey')}
          <input
            type="password"
            autoComplete="off"
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            data-testid="api-key"
            required
          />
        </label>
        <p class="muted">{t('keyHint')}</p>
        <button type="submit" data-testid="sign-in">
          {t('signIn')}
        </button>
      </form>
    </section>
  );
}
