/**
 * `rest`: a configurable REST source. A profile (JSON) declares, per stream, the endpoint, its
 * paging, its updated-since parameter, how deletions show and the field mapping; the config says
 * where the API is and how to authenticate. A profile with a `write` section also takes payments
 * back into the source. See README.md.
 */
import {
  atPointer,
  type BaseContext,
  type CheckProblem,
  type CheckResult,
  checkProblemOf,
  type Discovery,
  defineAdapter,
  type StreamName,
} from '../../src/sdk/index.ts';
import { type RestConfig, RestConfigSchema } from './config.ts';
import { loadProfile, type Profile, REST_STREAMS, type StreamProfile, streamParts } from './profile.ts';
import { clientFor, effectivePagination, readRestStream } from './read.ts';
import { writeRest } from './write.ts';

const ID = 'rest';
const VERSION = '1.1.0';

/** A message without any secret of the config in it. */
const problemOf = (error: unknown, config: RestConfig): CheckProblem =>
  checkProblemOf(error, RestConfigSchema, config);

/** One small page of a stream's endpoint: one item, and the body for totals. */
async function probe(config: RestConfig, profile: Profile, s: StreamProfile, ctx: BaseContext) {
  // Quick: one retry at most, no long Retry-After waits.
  const http = clientFor(config, ctx, profile, {
    maxAttempts: Math.min(2, config.retry.maxAttempts),
    pageAttempts: Math.min(2, config.retry.pageAttempts),
    maxRetryAfterMs: 5_000,
  });
  const p = effectivePagination(s, config);
  const query: Record<string, string | number> = { ...s.query };
  if (p.type === 'page') Object.assign(query, { [p.pageParam]: p.firstPage, [p.sizeParam]: 1 });
  else if (p.type === 'offset') Object.assign(query, { [p.offsetParam]: 0, [p.limitParam]: 1 });
  else if (p.type !== 'none' && p.sizeParam) query[p.sizeParam] = 1;
  const { body } = await http.getJson(s.path, query);
  return { body, stream: s, http };
}

export default defineAdapter({
  id: ID,
  name: 'REST (hồ sơ cấu hình / profile-driven)',
  version: VERSION,
  description:
    'Đọc hệ thống quản lý trường qua REST theo hồ sơ JSON / Reads a school system over REST as a JSON profile declares',
  configSchema: RestConfigSchema,
  streams: REST_STREAMS,

  async check(config, ctx): Promise<CheckResult> {
    let profile: Profile;
    try {
      profile = await loadProfile(config.profile);
    } catch (error) {
      return { ok: false, problems: [problemOf(error, config)] };
    }
    const first = Object.values(profile.streams)[0]![0]!;
    try {
      await probe(config, profile, first, ctx);
      return { ok: true };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return { ok: false, problems: [problemOf(error, config)] };
    }
  },

  async discover(config, ctx): Promise<Discovery> {
    const profile = await loadProfile(config.profile);
    const streams: Discovery['streams'] = [];
    for (const name of Object.keys(profile.streams) as StreamName[]) {
      // A stream of several endpoints counts what they all hold, when each says.
      let count = 0;
      for (const part of streamParts(profile, name)) {
        const { body, stream } = await probe(config, profile, part, ctx);
        count += stream.total ? Number(atPointer(body, stream.total)) : Number.NaN;
      }
      streams.push(Number.isFinite(count) ? { name, count } : { name });
    }
    const discovery: Discovery = { streams };
    if (profile.schools) {
      const http = clientFor(config, ctx, profile, { maxAttempts: Math.min(2, config.retry.maxAttempts) });
      const { body } = await http.getJson(profile.schools.path);
      const items = atPointer(body, profile.schools.items);
      if (Array.isArray(items)) {
        const { code, name } = profile.schools;
        discovery.schools = items.map((item) => {
          const n = name ? atPointer(item, name) : undefined;
          return { schoolCode: String(atPointer(item, code)), ...(typeof n === 'string' ? { name: n } : {}) };
        });
      }
    }
    return discovery;
  },

  async *read(stream, ctx) {
    const profile = await loadProfile(ctx.config.profile);
    yield* readRestStream({ id: ID, version: VERSION }, profile, streamParts(profile, stream), ctx);
  },

  // Payments, when the profile says where they go (`write.payments`); without it, write() says
  // WRITE_NOT_CONFIGURED and the hub leaves the school's payments alone.
  writes: ['payments'],
  async write(ctx, stream, records) {
    return writeRest(await loadProfile(ctx.config.profile), ctx, stream, records);
  },
});

export type { RestConfig } from './config.ts';
export { RestConfigSchema } from './config.ts';
export { loadProfile, type Profile, ProfileSchema, parseProfile, REST_STREAMS } from './profile.ts';
export { readWriteAnswer, toVendorRecord, writeRest } from './write.ts';
