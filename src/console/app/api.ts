/**
 * The console talks to the hub only through its public `/v1` API, as any client would: with an
 * API key, or with an access token the hub's own SSO relay issued to the console. The credential
 * lives in sessionStorage: it goes with the tab, not with the machine (an office PC is shared).
 */

export type Credential = { kind: 'key'; key: string } | { kind: 'token'; token: string; expiresAt: number };

const STORAGE = 'edubridge.console.credential';

export function loadCredential(): Credential | undefined {
  const raw = sessionStorage.getItem(STORAGE);
  if (!raw) return undefined;
  try {
    const credential = JSON.parse(raw) as Credential;
    if (credential.kind === 'token' && credential.expiresAt < Date.now()) return undefined;
    return credential;
  } catch {
    return undefined;
  }
}

export function saveCredential(credential: Credential | undefined): void {
  if (credential) sessionStorage.setItem(STORAGE, JSON.stringify(credential));
  else sessionStorage.removeItem(STORAGE);
}

/** A problem the API answered (RFC 9457): its code and its bilingual detail. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const credential = loadCredential();
  const auth: Record<string, string> =
    credential?.kind === 'key'
      ? { 'x-api-key': credential.key }
      : credential?.kind === 'token'
        ? { authorization: `Bearer ${credential.token}` }
        : {};
  return { ...auth, ...extra };
}

/** Called when the API says the credential is no good: the shell shows the sign-in page. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function problemOf(response: Response): Promise<ApiProblem> {
  let body: { code?: string; detail?: string; title?: string } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not a problem document (a proxy's page): the status says enough.
  }
  return new ApiProblem(
    response.status,
    body.code ?? `HTTP_${response.status}`,
    body.detail ?? body.title ?? `HTTP ${response.status}`,
  );
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`/v1${path}`, {
    method: init.method ?? 'GET',
    headers: headers(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (response.status === 401) onUnauthorized();
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as T;
}

/** Downloads what the API answers (an Excel report) under the name the hub gives it. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const response = await fetch(`/v1${path}`, { headers: headers() });
  if (!response.ok) throw await problemOf(response);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name =
    /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ?? /filename="([^"]+)"/i.exec(disposition)?.[1];
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name ? decodeURIComponent(name) : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Server-sent events read with fetch: EventSource cannot send the API key or token. Calls `onEvent`
 * for each event until the stream ends or `signal` aborts.
 */
export async function streamEvents(
  path: string,
  onEvent: (event: string, data: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(`/v1${path}`, { headers: headers({ accept: 'text/event-stream' }), signal });
  if (!response.ok || !response.body) throw await problemOf(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trim());
      }
      if (data.length > 0) onEvent(event, JSON.parse(data.join('\n')));
      end = buffer.indexOf('\n\n');
    }
  }
}
