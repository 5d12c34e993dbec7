/** What the handlers of both personalities share. */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type { VneidStore } from './store.ts';
import type { VneidPersonality } from './types.ts';

export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
  kid: string;
}

export interface VneidContext {
  personality: VneidPersonality;
  store: VneidStore;
  /** Set once the server listens. */
  url: string;
  issuer: string;
  codeTtlMs: number;
  tokenTtlSeconds: number;
  encryptCode: boolean;
  /** dvcqg: the key that signs id_tokens and token_id JWTs, published in the JWKS. */
  keys?: SigningKeys;
  /** dvcqg: another RSA key, made on first use, for the `id_token_foreign_key` attack. */
  foreignKey(): Promise<KeyObject>;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> | void;

/** path → method → handler */
export type Routes = Record<string, Partial<Record<'GET' | 'POST', Handler>>>;
