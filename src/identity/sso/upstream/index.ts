import type { UpstreamOptions } from '../types.ts';
import { directUpstream } from './direct.ts';
import { dvcqgUpstream } from './dvcqg.ts';
import type { Upstream } from './types.ts';

export { aesDecrypt, openEnvelope, rsaPkcs1v15Decrypt } from './envelope.ts';
export { parseRawQuery } from './query.ts';
export type { Upstream, UpstreamTransaction } from './types.ts';

/** The upstream of the configured personality; `redirectUri` is the relay's one callback URL. */
export function createUpstream(options: UpstreamOptions, redirectUri: string): Upstream {
  return options.personality === 'dvcqg'
    ? dvcqgUpstream(options, redirectUri)
    : directUpstream(options, redirectUri);
}
