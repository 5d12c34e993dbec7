/**
 * `soap`: a WSDL-driven source through the `soap` package. The profile declares, per stream, the
 * operation, its school and paging arguments, where the records are (or the XML text that holds
 * them) and the field mapping, in the REST profile's format. See README.md.
 */
import {
  atPointer,
  type CheckProblem,
  type CheckResult,
  checkProblemOf,
  type Discovery,
  defineAdapter,
  type StreamName,
} from '../../src/sdk/index.ts';
import { PROFILE_STREAMS } from '../rest/profile.ts';
import { connectSoap } from './client.ts';
import { type SoapConfig, SoapConfigSchema } from './config.ts';
import { loadSoapProfile, type SoapProfile, soapStream } from './profile.ts';
import { documentOf, listAt, pageArgs, rawXmlParser, readSoapStream, schoolCodes } from './read.ts';

const ID = 'soap';
const VERSION = '1.0.0';

const problemOf = (error: unknown, config: SoapConfig): CheckProblem =>
  checkProblemOf(error, SoapConfigSchema, config);

const quick = (config: SoapConfig) => ({
  ...config.retry,
  maxAttempts: Math.min(2, config.retry.maxAttempts),
  pageAttempts: Math.min(2, config.retry.pageAttempts),
  maxRetryAfterMs: 5_000,
});

/** Calls the first stream's operation for one school, one record. */
async function probe(
  config: SoapConfig,
  profile: SoapProfile,
  name: string,
  ctx: import('../../src/sdk/index.ts').BaseContext,
  school?: string,
) {
  const stream = soapStream(profile, name);
  const caller = await connectSoap(config, ctx, profile.name, quick(config));
  const schools = stream.schoolArg
    ? school
      ? [school]
      : await schoolCodes(caller, profile, config)
    : [undefined];
  const page = stream.pagination.type === 'page' ? stream.pagination.firstPage : undefined;
  const parser = stream.rawXml ? rawXmlParser(stream.rawXml.arrays) : undefined;
  const document = await caller.call(stream.operation, pageArgs(stream, 1, page, schools[0]), {
    read: (result) => documentOf(result, stream, parser),
  });
  return { stream, caller, schools, document };
}

export default defineAdapter({
  id: ID,
  name: 'SOAP (WSDL, hồ sơ cấu hình / profile-driven)',
  version: VERSION,
  description:
    'Đọc dịch vụ SOAP của phần mềm trường theo hồ sơ JSON / Reads a school system SOAP service as a JSON profile declares',
  configSchema: SoapConfigSchema,
  streams: PROFILE_STREAMS,

  async check(config, ctx): Promise<CheckResult> {
    try {
      const profile = await loadSoapProfile(config.profile);
      await probe(config, profile, Object.keys(profile.streams)[0]!, ctx);
      return { ok: true };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return { ok: false, problems: [problemOf(error, config)] };
    }
  },

  async discover(config, ctx): Promise<Discovery> {
    const profile = await loadSoapProfile(config.profile);
    const caller = await connectSoap(config, ctx, profile.name, quick(config));
    const discovery: Discovery = { streams: [] };
    if (profile.schools) {
      const result = await caller.call(profile.schools.operation, { ...profile.schools.args });
      const { code, name } = profile.schools;
      discovery.schools = listAt(result, profile.schools.items, profile.schools.operation).map((item) => {
        const n = name ? atPointer(item, name) : undefined;
        return { schoolCode: String(atPointer(item, code)), ...(typeof n === 'string' ? { name: n } : {}) };
      });
    }
    for (const name of Object.keys(profile.streams) as StreamName[]) {
      const stream = soapStream(profile, name);
      if (!stream.total) {
        discovery.streams.push({ name });
        continue;
      }
      // Totals are per school: add them up.
      const schools = stream.schoolArg
        ? (config.schoolCodes ?? discovery.schools?.map((s) => s.schoolCode) ?? [])
        : [undefined];
      let count = 0;
      const parser = stream.rawXml ? rawXmlParser(stream.rawXml.arrays) : undefined;
      for (const school of schools) {
        const page = stream.pagination.type === 'page' ? stream.pagination.firstPage : undefined;
        const document = await caller.call(stream.operation, pageArgs(stream, 1, page, school), {
          read: (result) => documentOf(result, stream, parser),
        });
        count += Number(atPointer(document, stream.total)) || 0;
      }
      discovery.streams.push({ name, count });
    }
    return discovery;
  },

  async *read(stream, ctx) {
    const profile = await loadSoapProfile(ctx.config.profile);
    const s = soapStream(profile, stream);
    const caller = await connectSoap(ctx.config, ctx, profile.name);
    yield* readSoapStream({ id: ID, version: VERSION }, profile, s, caller, ctx);
  },
});

export type { SoapConfig } from './config.ts';
export { SoapConfigSchema } from './config.ts';
export { loadSoapProfile, parseSoapProfile, SoapProfileSchema } from './profile.ts';
