/**
 * Ports for servers that must know their address before they listen (an OpenID issuer names its
 * own URL). A port found free and closed at once can be taken by any other process binding port 0
 * (a parallel test's sandbox, say) before the server gets to it: CI once failed on exactly that
 * (EADDRINUSE). A reservation keeps the port bound until `release()`, called just before listening.
 */
import { createServer } from 'node:net';

export interface PortReservation {
  port: number;
  /** Frees the port for the server that will listen on it; call right before that listen. Idempotent. */
  release(): Promise<void>;
}

function tryReserve(host: string, port: number): Promise<PortReservation | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    // A reservation never keeps a process alive: one that fails before listening still exits.
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const bound = (server.address() as { port: number }).port;
      let released: Promise<void> | undefined;
      // Idempotent: a server restarted on its port releases again, harmlessly.
      const release = () => {
        released ??= new Promise<void>((done) => server.close(() => done()));
        return released;
      };
      resolve({ port: bound, release });
    });
  });
}

/** Holds `preferred` when it is free (and not 0), else any free port the system gives. */
export async function reservePort(host = '127.0.0.1', preferred = 0): Promise<PortReservation> {
  const held = preferred > 0 ? await tryReserve(host, preferred) : undefined;
  if (held) return held;
  const any = await tryReserve(host, 0);
  if (!any) throw new Error(`no free port on ${host}`);
  return any;
}

/**
 * The host to put in a URL for a server listening on `host`: a wildcard address (every
 * interface) is reached on loopback from this machine; an IPv6 address goes in brackets.
 */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
