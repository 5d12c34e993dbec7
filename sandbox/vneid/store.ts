/**
 * What the sandbox holds in memory: citizens, clients, pending logins (interactions), codes,
 * access tokens and sessions. Nothing here is reached by `login()`: it goes through HTTP.
 */
import type { KeyObject } from 'node:crypto';
import { rsaPublicKey, stableUuid } from './crypto.ts';
import type { VneidAttack, VneidCitizen, VneidClient, VneidPersonality } from './types.ts';

export type Level = 1 | 2;

export interface HeldCitizen extends Required<VneidCitizen> {
  /** The `sub` of the dvcqg personality: a stable UUID, never the ID number. */
  sub: string;
  techId: string;
}

export interface HeldClient extends VneidClient {
  publicKey?: KeyObject;
}

/** A login page shown and not yet answered. */
export interface Interaction {
  id: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  /** The lowest level acr_values accepts, when it names one. */
  requiredLevel?: Level;
  expiresAt: number;
}

export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  personalId: string;
  level: Level;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  /** Seconds since the epoch. */
  authTime: number;
  expiresAt: number;
  used: boolean;
  sessionId: string;
  /** vneid-direct with encryptCode: the `encrypt_key` the token call must repeat. */
  encryptKey?: string;
  /** Access tokens issued from this code: revoked if the code is replayed (RFC 6749 §4.1.2). */
  accessTokens: string[];
}

export interface AccessGrant {
  clientId: string;
  personalId: string;
  level: Level;
  scope: string;
  expiresAt: number;
  sessionId: string;
  revoked: boolean;
}

export interface Session {
  id: string;
  personalId: string;
  level: Level;
  clientId: string;
  ended: boolean;
}

const INTERACTION_TTL_MS = 10 * 60_000;
/** Used and expired codes are kept this long after expiry, so a replay is told apart from a typo. */
const CODE_MEMORY_MS = 10 * 60_000;

const isDate = (s: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
};

export function checkCitizen(c: VneidCitizen): HeldCitizen {
  if (!/^\d{12}$/.test(c.personalId)) throw new TypeError('citizen personalId must be 12 digits (a string)');
  if (!c.fullName?.trim()) throw new TypeError(`citizen ${c.personalId}: fullName is empty`);
  if (!isDate(c.birthDate)) throw new TypeError(`citizen ${c.personalId}: birthDate must be YYYY-MM-DD`);
  if (c.gender !== 'male' && c.gender !== 'female') {
    throw new TypeError(`citizen ${c.personalId}: gender must be male or female`);
  }
  const accountLevel = c.accountLevel ?? 2;
  if (accountLevel !== 1 && accountLevel !== 2) {
    throw new TypeError(`citizen ${c.personalId}: accountLevel must be 1 or 2`);
  }
  return {
    ...c,
    accountLevel,
    sub: stableUuid(`sub:${c.personalId}`),
    techId: stableUuid(`tech:${c.personalId}`),
  };
}

export function checkClient(c: VneidClient, personality: VneidPersonality): HeldClient {
  if (!c.clientId) throw new TypeError('client clientId is empty');
  if (!c.clientSecret) throw new TypeError(`client ${c.clientId}: clientSecret is empty`);
  if (!Array.isArray(c.redirectUris) || c.redirectUris.length === 0) {
    throw new TypeError(`client ${c.clientId}: redirectUris is empty`);
  }
  for (const uri of c.redirectUris) {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw new TypeError(`client ${c.clientId}: redirect URI ${uri} is not an absolute URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TypeError(`client ${c.clientId}: redirect URI ${uri} must be http or https`);
    }
    if (uri.includes('#')) throw new TypeError(`client ${c.clientId}: redirect URI ${uri} has a fragment`);
  }
  const held: HeldClient = { ...c, redirectUris: [...c.redirectUris] };
  if (c.publicKeyPem) held.publicKey = rsaPublicKey(c.publicKeyPem);
  if (personality === 'vneid-direct' && !held.publicKey) {
    throw new TypeError(
      `client ${c.clientId}: vneid-direct needs publicKeyPem (its answers are encrypted to that key)`,
    );
  }
  return held;
}

export class VneidStore {
  readonly citizens = new Map<string, HeldCitizen>();
  readonly clients = new Map<string, HeldClient>();
  readonly interactions = new Map<string, Interaction>();
  /** By the code as the relying party receives it (and, when encrypted, by the plain code too). */
  readonly grants = new Map<string, CodeGrant>();
  readonly tokens = new Map<string, AccessGrant>();
  readonly sessions = new Map<string, Session>();
  attack: VneidAttack | null = null;

  constructor(
    readonly personality: VneidPersonality,
    citizens: VneidCitizen[],
    clients: VneidClient[],
  ) {
    for (const c of citizens) {
      const held = checkCitizen(c);
      if (this.citizens.has(held.personalId))
        throw new TypeError(`citizen ${held.personalId} is listed twice`);
      this.citizens.set(held.personalId, held);
    }
    for (const c of clients) this.addClient(c);
  }

  addClient(client: VneidClient): void {
    this.clients.set(client.clientId, checkClient(client, this.personality));
  }

  newInteraction(fields: Omit<Interaction, 'expiresAt'>): Interaction {
    this.sweep();
    const interaction = { ...fields, expiresAt: Date.now() + INTERACTION_TTL_MS };
    this.interactions.set(interaction.id, interaction);
    return interaction;
  }

  liveInteraction(id: string): Interaction | undefined {
    const found = this.interactions.get(id);
    return found && found.expiresAt > Date.now() ? found : undefined;
  }

  /** The access token's grant if it is live: not expired, not revoked, its session not ended. */
  liveToken(token: string): AccessGrant | undefined {
    const grant = this.tokens.get(token);
    if (!grant || grant.revoked || grant.expiresAt <= Date.now()) return undefined;
    if (this.sessions.get(grant.sessionId)?.ended) return undefined;
    return grant;
  }

  endSession(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    session.ended = true;
    return true;
  }

  /** Another client's id for the wrong-audience attack. */
  otherClientId(clientId: string): string {
    for (const id of this.clients.keys()) if (id !== clientId) return id;
    return 'another-client';
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, i] of this.interactions) if (i.expiresAt <= now) this.interactions.delete(id);
    for (const [code, g] of this.grants) if (g.expiresAt + CODE_MEMORY_MS <= now) this.grants.delete(code);
    for (const [token, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(token);
  }
}
