import { isIP } from 'node:net';
import { z } from 'zod';
import { TEXT_KIND_NAMES, TEXT_KINDS, type TextKindName, type TextLimits } from '../model/text-limits.ts';
import { DEFAULT_INPUT_LIMITS, INPUT_LIMIT_SETTINGS, type InputLimits } from '../sdk/limits.ts';
import { integer, setting, urlWithScheme } from './fields.ts';

// One section per concern; a new integration (gateway, VNeID, C06) adds its own section here and
// spreads it into `configSchema`, so every setting is still validated in one pass at start-up.

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const MIB = 1024 * 1024;

const runtimeSettings = {
  NODE_ENV: setting(z.enum(['development', 'test', 'production']).default('development'), {
    expects: 'one of development, test, production',
  }),
  LOG_LEVEL: setting(z.enum(LOG_LEVELS).default('info'), {
    expects: `one of ${LOG_LEVELS.join(', ')}`,
  }),
};

// An address or a CIDR block (v4 or v6), or one of the names Fastify's trustProxy knows.
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (version === 4 ? 32 : 128);
}

const perMinute = (what: string, byDefault: number) =>
  setting(integer(0, 1_000_000).default(byDefault), {
    expects: `${what} a minute, a whole number; 0 turns the limit off`,
  });

const httpSettings = {
  HOST: setting(z.string().min(1).default('127.0.0.1'), { expects: 'a host name or IP address' }),
  // Every absolute URL the hub serves or prints (SSO discovery and redirects, the API docs' server,
  // links in messages) is made from this, never from a request's Host or X-Forwarded-* headers.
  PUBLIC_URL: setting(urlWithScheme('http', 'https').optional(), {
    expects: 'the hub’s public base URL, scheme and host (and port) only, e.g. https://edubridge.example.vn',
  }),
  // Whose X-Forwarded-For is believed (for logs and rate limits): Fastify's trustProxy.
  TRUST_PROXY: setting(
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((e) => e.trim())
          .filter((e) => e !== ''),
      )
      .pipe(z.array(z.string().refine(isProxyEntry)).min(1))
      .optional(),
    {
      expects:
        'comma-separated addresses or CIDR blocks of the reverse proxies in front of the hub (or loopback, linklocal, uniquelocal); unset: no proxy is trusted',
    },
  ),
  // Swagger UI at /docs (and /openapi.json): on by default except in production, where it is off
  // unless turned on, and then only for the district role.
  API_DOCS: setting(z.enum(['on', 'off']).optional(), {
    expects: 'on or off (default: on, but off when NODE_ENV=production)',
  }),
  RATE_LIMIT_AUTH_FAILURES: perMinute(
    'failed authentications (wrong or missing API key) per client address and per key,',
    20,
  ),
  RATE_LIMIT_SSO: perMinute('requests to /sso per client address', 600),
  RATE_LIMIT_SSO_TOKEN: perMinute('requests to /sso/token per client address and client id', 120),
  RATE_LIMIT_IDENTITY: perMinute('identity checks (/v1/identity) per API key', 300),
  PORT: setting(integer(1, 65_535).default(8080), { expects: 'an integer 1–65535' }),
  BODY_LIMIT_BYTES: setting(integer(1, 1024 * MIB).default(MIB), {
    expects: `an integer number of bytes 1–${1024 * MIB}`,
  }),
  // Nesting is what recursive code (JSON.stringify, validators, log serializers) pays for with its
  // stack, and a few hundred KiB of `[` under BODY_LIMIT_BYTES nest deep enough to overflow it. No
  // route of the hub takes more than five levels; 32 leaves room and stays far from any stack.
  BODY_MAX_DEPTH: setting(integer(1, 256).default(32), {
    expects: 'levels of nesting ({ or [) a JSON request body may have, 1–256',
  }),
};

const databaseSettings = {
  // Absent: the embedded PGlite, for the demo and tests only.
  DATABASE_URL: setting(urlWithScheme('postgres', 'postgresql').optional(), {
    expects: 'a postgres:// or postgresql:// URL',
  }),
  // Absent: PGlite keeps its data in memory and loses it on exit.
  PGLITE_DIR: setting(z.string().min(1).optional(), { expects: 'a directory path' }),
};

const redisSettings = {
  REDIS_URL: setting(urlWithScheme('redis', 'rediss').default('redis://127.0.0.1:6379'), {
    expects: 'a redis:// or rediss:// URL',
  }),
  // Lets several deployments share one Redis without their queues meeting.
  REDIS_PREFIX: setting(
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/)
      .default('edubridge'),
    { expects: 'letters, digits, "_", "." or "-", starting with a letter or digit' },
  ),
  // `npm run demo` only: with REDIS_URL unset, the address it tries before starting a redis-server
  // of its own (default: REDIS_URL's default). Tests point it where nothing answers.
  EDUBRIDGE_DEMO_REDIS_PROBE: setting(urlWithScheme('redis', 'rediss').optional(), {
    expects: 'a redis:// or rediss:// URL',
  }),
};

// The `edubridge` command's way to a running hub: with both set, the commands that read or change
// its state (runs, dead-letters) ask its API instead of opening DATABASE_URL (the demo prints
// both lines). The CLI reads them before the rest of the settings (src/cli/hub-access.ts), so a
// command that only talks to the API does not need the hub's own settings right.
const cliSettings = {
  EDUBRIDGE_URL: setting(urlWithScheme('http', 'https').optional(), {
    expects: 'the hub’s address, https:// (http:// only to this machine or a host in EDUBRIDGE_HTTP_HOSTS)',
  }),
  EDUBRIDGE_API_KEY: setting(z.string().min(1).max(500).optional(), {
    expects: 'an API key (edubridge apikey create)',
    secret: true,
  }),
  // Hosts of a trusted network the CLI may reach over plain http (the key travels unencrypted).
  EDUBRIDGE_HTTP_HOSTS: setting(z.string().max(2_000).optional(), {
    expects: 'host names separated by commas',
  }),
};

// `id:base64` where the base64 decodes to exactly 32 bytes (an AES-256 or HMAC-SHA256 key).
const KEY_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;
const DATA_KEY_ENTRY = /^[A-Za-z0-9_.-]+:[A-Za-z0-9+/]{43}=$/;

function distinctKeyIds(value: string): boolean {
  const ids = value.split(',').map((entry) => entry.trim().split(':')[0]);
  return new Set(ids).size === ids.length;
}

const storeSettings = {
  // Personal ID numbers are encrypted under the first key; the others still decrypt rows written
  // before a rotation (`edubridge keys rotate`). Unset outside production: a public development key.
  DATA_KEYS: setting(
    z
      .string()
      .refine((v) => v.split(',').every((entry) => DATA_KEY_ENTRY.test(entry.trim())) && distinctKeyIds(v))
      .optional(),
    {
      expects:
        'a comma-separated list of id:base64(32 bytes) with distinct ids, the current key first (edubridge keys generate), required when NODE_ENV=production',
      secret: true,
    },
  ),
  // HMAC-SHA256 key of the blind index on personal ID numbers; changing it needs a re-index.
  BLIND_INDEX_KEY: setting(z.string().regex(KEY_32_BYTES).optional(), {
    expects: 'base64 of 32 random bytes, required when NODE_ENV=production',
    secret: true,
  }),
};

// The city Education DB, reached through the LGSP gateway. Which gateway HCMC runs and its exact
// conventions are not public (shared/domain §3): the personality and every name are settings.
const optionalText = (expects: string, secret = false) =>
  setting(z.string().min(1).optional(), { expects, ...(secret ? { secret } : {}) });
/**
 * The settings of one system behind a gateway (personality, address, timeout and the credentials of
 * each personality), under `<PREFIX>_`: the city Education DB, SSC and C06 each have theirs, read
 * by `gatewayOptionsFromSettings`. `of` names the system in the texts an operator reads.
 */
function gatewaySettings<P extends string>(
  prefix: P,
  o: {
    of: string;
    gateway: 'wso2' | 'vnpt-lgsp' | 'xroad';
    gatewayExpects: string;
    urlExpects: string;
    timeoutMs: number;
    timeoutExpects: string;
  },
) {
  const block = {
    GATEWAY: setting(z.enum(['wso2', 'vnpt-lgsp', 'xroad']).default(o.gateway), {
      expects: o.gatewayExpects,
    }),
    GATEWAY_URL: setting(urlWithScheme('http', 'https').optional(), { expects: o.urlExpects }),
    TOKEN_URL: setting(urlWithScheme('http', 'https').optional(), { expects: 'an http(s) URL' }),
    TIMEOUT_MS: setting(integer(100, 600_000).default(o.timeoutMs), { expects: o.timeoutExpects }),
    CONSUMER_KEY: optionalText(`the wso2 consumer key for ${o.of}`),
    CONSUMER_SECRET: optionalText(`the wso2 consumer secret for ${o.of}`, true),
    ACCESS_KEY: optionalText(`the VNPT LGSP AccessKey for ${o.of}`, true),
    SECRET_KEY: optionalText(`the VNPT LGSP SecretKey or the X-Road secret key for ${o.of}`, true),
    APP_NAME: setting(z.string().min(1).default('EDUBRIDGE'), { expects: 'the VNPT LGSP AppName' }),
    PARTNER_CODE: optionalText(`the VNPT LGSP PartnerCode for ${o.of}`),
    PARTNER_CODE_CUS: optionalText(`the VNPT LGSP PartnerCodeCus for ${o.of}`),
    SENDER_CODE: setting(z.string().min(1).default('000.00.00.H29'), {
      expects: 'the sender agency code (QCVN 102:2016)',
    }),
    RECEIVER_CODE: optionalText(`the receiver agency code of ${o.of}`),
    XROAD_CLIENT: optionalText(`the X-Road client id (INSTANCE/CLASS/CODE/SUBSYSTEM) for ${o.of}`),
    API_KEY: optionalText(`the X-Road ApiKey for ${o.of}`, true),
    USER_NAME: optionalText(`the X-Road user name of the signed Basic credentials for ${o.of}`),
  };
  return Object.fromEntries(Object.entries(block).map(([name, value]) => [`${prefix}_${name}`, value])) as {
    [K in keyof typeof block as `${P}_${K}`]: (typeof block)[K];
  };
}

const cityEduDbSettings = gatewaySettings('CITY_EDUDB', {
  of: 'the city Education DB',
  gateway: 'wso2',
  gatewayExpects: 'one of wso2, vnpt-lgsp, xroad (the LGSP gateway personality)',
  urlExpects: 'the http(s) URL of the LGSP gateway in front of the city Education DB',
  timeoutMs: 30_000,
  timeoutExpects: 'milliseconds, 100–600000',
});

// SSC (the city's online revenue system), behind the LGSP gateway too, perhaps with other
// credentials. Unset SSC_GATEWAY_URL: no SSC target. Names and conventions: openapi/ssc.md (❓).
/** A setting holding a JSON document, parsed, then checked against `schema`. */
const jsonSetting = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
const collectionAccounts = jsonSetting(
  z.record(
    z.string().min(1),
    z.strictObject({
      bankBin: z.string().regex(/^\d{6}$/),
      account: z.string().regex(/^[0-9A-Za-z]{1,19}$/),
    }),
  ),
);
const sscSettings = {
  ...gatewaySettings('SSC', {
    of: 'SSC',
    gateway: 'wso2',
    gatewayExpects: 'one of wso2, vnpt-lgsp, xroad',
    urlExpects: 'the http(s) URL of the LGSP gateway in front of SSC; unset: no SSC target',
    timeoutMs: 30_000,
    timeoutExpects: 'milliseconds for one SSC call, 100–600000',
  }),
  SSC_SERVICE: setting(z.string().min(1).default('ssc'), { expects: 'the LGSP service name of SSC' }),
  // The bank account each school collects into: the VietQR on its notices pays into it.
  SSC_COLLECTION_ACCOUNTS: setting(collectionAccounts.optional(), {
    expects: 'JSON {"<school code>": {"bankBin": "<6 digits>", "account": "<1–19 of 0-9 A-Z a-z>"}}',
  }),
  SSC_REQUESTS_PER_SECOND: setting(integer(1, 10_000).default(10), {
    expects: 'push requests a second to SSC, all workers together, 1–10000',
  }),
  SSC_CONCURRENT_BATCHES: setting(integer(1, 256).default(2), {
    expects: 'batches in flight to SSC, all workers together, 1–256',
  }),
};

// C06 (the national population database), asked through the national data exchange (NDXP, an
// X-Road-style gateway) or a provincial proxy. Unset C06_GATEWAY_URL: no online identity checks.
// The requester fields go into every lookup (MaCanBo, MaDonVi…): C06 logs who asked (domain §2).
const c06Settings = {
  ...gatewaySettings('C06', {
    of: 'C06',
    gateway: 'xroad',
    gatewayExpects: 'one of wso2, vnpt-lgsp, xroad (NDXP is X-Road style)',
    urlExpects: 'the http(s) URL of the gateway in front of C06; unset: no online identity checks',
    timeoutMs: 20_000,
    timeoutExpects: 'milliseconds for one C06 lookup, 100–600000',
  }),
  C06_SERVICE: setting(z.string().min(1).default('c06'), { expects: 'the gateway service name of C06' }),
  C06_SERVICE_CODE: setting(z.string().min(1).default('VPCP'), {
    expects: 'MaDVC, the calling service code',
  }),
  C06_INTEGRATION_CODE: setting(z.string().min(1).default('037'), { expects: 'MaTichHop, the lookup code' }),
  C06_OFFICIAL_ID: optionalText('MaCanBo: the personal ID of the official on whose behalf the hub asks'),
  C06_UNIT_CODE: optionalText('MaDonVi: the code of the unit that asks (the Department of Education)'),
  C06_ACCOUNT: setting(z.string().min(1).default('edubridge'), { expects: 'TaiKhoan, the calling account' }),
  C06_NAME_FORMAT: setting(z.enum(['as-is', 'upper-ascii-compact']).default('as-is'), {
    expects: 'how the name is sent: as-is, or upper-ascii-compact (NGUYENVANA, as one public client does)',
  }),
  C06_REQUESTS_PER_SECOND: setting(integer(1, 1_000).default(5), {
    expects: 'lookups a second to C06, all workers together, 1–1000 (the quota is not published)',
  }),
  IDENTITY_CHECK_VALID_DAYS: setting(integer(1, 3_650).default(180), {
    expects: 'days a verification stands before a new check is due, 1–3650',
  }),
};

// Single sign-on: the hub is the OpenID Provider of school apps (issuer `${SSO_PUBLIC_URL}/sso`)
// and a relying party of VNeID upstream, through the national portal (dvcqg) or directly.
// Unset SSO_UPSTREAM: no SSO. Register `${SSO_PUBLIC_URL}/sso/callback` at VNeID.
const districtAdmins = jsonSetting(z.record(z.string().regex(/^\d{12}$/), z.array(z.string().min(1)).min(1)));
const ssoSettings = {
  SSO_UPSTREAM: setting(z.enum(['dvcqg', 'vneid-direct']).optional(), {
    expects: 'dvcqg (the national portal’s SSO) or vneid-direct; unset: no single sign-on',
  }),
  SSO_PUBLIC_URL: setting(urlWithScheme('http', 'https').optional(), {
    expects: 'the hub’s public base URL, scheme and host only (the issuer is <it>/sso)',
  }),
  SSO_COOKIE_KEYS: setting(
    z
      .string()
      .transform((v) => v.split(',').map((k) => k.trim()))
      .pipe(z.array(z.string().min(16)).min(1))
      .optional(),
    {
      expects: 'comma-separated keys of 16+ characters that sign the SSO cookies (newest first)',
      secret: true,
    },
  ),
  VNEID_ISSUER: setting(urlWithScheme('http', 'https').optional(), {
    expects: 'dvcqg: the issuer of its ID tokens (e.g. https://xacthuc.dichvucong.gov.vn/oauth2/token)',
  }),
  VNEID_BASE_URL: setting(urlWithScheme('http', 'https').optional(), {
    expects: 'vneid-direct: its base URL (/auth, /token, /userinfo hang off it)',
  }),
  VNEID_CLIENT_ID: optionalText('the hub’s client id at VNeID'),
  VNEID_CLIENT_SECRET: optionalText('the hub’s client secret at VNeID', true),
  VNEID_PRIVATE_KEY_FILE: optionalText('vneid-direct: the PEM file of the hub’s RSA private key'),
  VNEID_PKCE: setting(
    z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .default(true),
    { expects: 'true or false: send PKCE to the dvcqg upstream' },
  ),
  VNEID_AES_MODE: setting(z.enum(['ecb', 'cbc-iv-prefix']).default('ecb'), {
    expects: 'vneid-direct: ecb (VNeID sample code) or cbc-iv-prefix',
  }),
  SSO_DISTRICT_ADMINS: setting(districtAdmins.optional(), {
    expects: 'JSON {"<12-digit personal ID>": ["<school code>", …]} of district staff who may log in',
    secret: true,
  }),
};

const syncSettings = {
  // Which adapter reads each school's software, and its config: { "79NB0001": { "adapter": "rest", "config": {…} } }.
  SOURCES_FILE: setting(z.string().min(1).default('edubridge.sources.json'), {
    expects: 'the path of the JSON file of sources per school',
  }),
  HOLD_THRESHOLD: setting(
    z
      .string()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/)
      .transform(Number)
      .default(0.1),
    {
      expects: 'a share from 0 to 1 of what a target holds that a run may change or delete before it is held',
    },
  ),
  SYNC_BATCH_SIZE: setting(integer(100, 10_000).default(500), {
    expects: 'records per staged batch and push job, 100–10000 (≥ 100 keeps the queue cheap)',
  }),
  PUSH_ATTEMPTS: setting(integer(1, 50).default(5), {
    expects: 'tries of a batch the target answers with a retryable error, 1–50',
  }),
  REPLAY_APPROVAL_THRESHOLD: setting(integer(0, 1_000_000).default(100), {
    expects:
      'dead letters one replay may send without a second district user’s approval (four eyes), 0–1000000; 0: every replay needs one',
  }),
  // The city's quota on the gateway is per client and not published (❓ domain README §3): the
  // defaults are deliberately modest; set them to what the city grants. BullMQ's limiter counts
  // in fixed one-second windows, so against a gateway that counts in a sliding second, half the
  // quota is what never meets a 429 (a 429 only delays the batch; it spends no attempt).
  CITY_EDUDB_REQUESTS_PER_SECOND: setting(integer(1, 10_000).default(20), {
    expects: 'push requests a second to the city Education DB, all workers together, 1–10000',
  }),
  CITY_EDUDB_CONCURRENT_BATCHES: setting(integer(1, 256).default(4), {
    expects: 'batches in flight to the city Education DB, all workers together, 1–256',
  }),
  BREAKER_FAILURES: setting(integer(1, 1_000).default(5), {
    expects: 'retryable failures in a row that open a target’s circuit, 1–1000',
  }),
  BREAKER_COOLDOWN_MS: setting(integer(100, 3_600_000).default(30_000), {
    expects: 'milliseconds an open circuit waits before its probe, 100–3600000',
  }),
  LINEAGE_BODY_DAYS: setting(integer(0, 3_650).default(30), {
    expects: 'days the sealed body of a pushed batch is kept for debugging, 0–3650 (hashes and ids stay)',
  }),
  WORKER_LOCK_MS: setting(integer(1_000, 600_000).default(30_000), {
    expects:
      'milliseconds a step of a run stays with a worker that stops answering (its job lock and its lease) before another takes it over, 1000–600000',
  }),
  WORKER_HEALTH_PORT: setting(integer(1, 65_535).optional(), {
    expects: "a port for the worker's /healthz and /readyz (on HOST), 1–65535; unset: none",
  }),
  // An outage is not a batch's fault: while the target is unreachable or answers 502/503/504, a
  // batch waits without spending attempts, but not for ever: a run stays `pushing` meanwhile, and
  // the school's next run waits for it. A day covers a weekend's maintenance window.
  PUSH_OUTAGE_MAX_MS: setting(integer(1_000, 30 * 86_400_000).default(86_400_000), {
    expects:
      'milliseconds a batch may find its target unavailable before it is given up to dead letters, 1000–2592000000',
  }),
};

// The record rules' own settings, read by the sync engine and by `edubridge validate` and `import`
// alike, so a file that validates is a file the sync takes. The limits are checked against the
// table in src/model/text-limits.ts: a kind it does not know is a typo, and a limit above a
// kind's maximum would pass records the city or SSC refuses.
const textLimits = jsonSetting(
  z
    .record(z.string(), z.unknown())
    .superRefine((limits, ctx) => {
      for (const [kind, value] of Object.entries(limits)) {
        if (!Object.hasOwn(TEXT_KINDS, kind)) {
          ctx.addIssue({ code: 'custom', message: `unknown kind "${kind}"` });
          continue;
        }
        const { max } = TEXT_KINDS[kind as TextKindName];
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
          ctx.addIssue({
            code: 'custom',
            message: `${kind} ${JSON.stringify(value)} is not a whole number from 1 to ${max}`,
          });
        }
      }
    })
    .transform((limits) => limits as TextLimits),
);
const ruleSettings = {
  TEXT_LIMITS: setting(textLimits.optional(), {
    expects: `JSON {"<kind>": <characters>, …}, each kind a whole number from 1 to its maximum: ${TEXT_KIND_NAMES.map((k) => `${k} ≤ ${TEXT_KINDS[k].max}`).join(', ')}`,
    explains: true,
  }),
};

// Bounds on what the adapters parse from schools' files and services, checked while the bytes flow
// (a zip bomb, a hostile WSDL); src/sdk/limits.ts gives the reason for each default.
const L = DEFAULT_INPUT_LIMITS;
const inputLimitSettings = {
  XLSX_MAX_INFLATED_BYTES: setting(integer(MIB, 64 * 1024 * MIB).default(L.maxInflatedBytes), {
    expects: `bytes an .xlsx may inflate to, all its parts read together, ${MIB}–${64 * 1024 * MIB}`,
  }),
  XLSX_MAX_ZIP_ENTRIES: setting(integer(10, 1_000_000).default(L.maxZipEntries), {
    expects: 'entries an .xlsx (a zip) may hold, 10–1000000',
  }),
  XLSX_MAX_WORKBOOK_PART_BYTES: setting(integer(64 * 1024, 1024 * MIB).default(L.maxWorkbookPartBytes), {
    expects: `bytes of an .xlsx's xl/workbook.xml, and of its relationships, each, ${64 * 1024}–${1024 * MIB}`,
  }),
  XLSX_MAX_COMPRESSION_RATIO: setting(integer(2, 100_000).default(L.maxCompressionRatio), {
    expects: 'inflated bytes per compressed byte of one part of an .xlsx, 2–100000',
  }),
  XLSX_MAX_SHARED_STRINGS: setting(integer(1, 1_000_000_000).default(L.maxSharedStrings), {
    expects: "strings in an .xlsx's shared-string table, 1–1000000000",
  }),
  XLSX_MAX_TEXT_BYTES: setting(integer(1_024, 1024 * MIB).default(L.maxXmlTextBytes), {
    expects: `bytes between two tags of an .xlsx part (a cell's text, a tag), 1024–${1024 * MIB}`,
  }),
  XLSX_MAX_ROW_CHARACTERS: setting(integer(1_024, 1_000_000_000).default(L.maxRowCharacters), {
    expects: 'characters of the texts of one row of an .xlsx sheet together, 1024–1000000000',
  }),
  XLSX_MAX_SHARED_STRINGS_BYTES: setting(integer(MIB, 64 * 1024 * MIB).default(L.maxSharedStringsBytes), {
    expects: `bytes of an .xlsx's shared-string table (xl/sharedStrings.xml), ${MIB}–${64 * 1024 * MIB}`,
  }),
  SHEET_MAX_CELLS_PER_ROW: setting(integer(1, 10_000_000).default(L.maxCellsPerRow), {
    expects: 'cells in a row of an .xlsx sheet or a CSV record, 1–10000000',
  }),
  CSV_MAX_RECORD_BYTES: setting(integer(1_024, 1024 * MIB).default(L.maxCsvRecordBytes), {
    expects: `bytes of one CSV record, 1024–${1024 * MIB}`,
  }),
  SOAP_MAX_WSDL_BYTES: setting(integer(1_024, 1024 * MIB).default(L.maxWsdlBytes), {
    expects: `bytes of a SOAP school system's WSDL (each document), 1024–${1024 * MIB}`,
  }),
  SOAP_MAX_RESPONSE_BYTES: setting(integer(1_024, 4 * 1024 * MIB).default(L.maxSoapResponseBytes), {
    expects: `bytes of one answer of a SOAP school system, 1024–${4 * 1024 * MIB}`,
  }),
} satisfies Record<(typeof INPUT_LIMIT_SETTINGS)[keyof InputLimits], unknown>;

/** Only the parsers' bounds (for `edubridge import`, which reads files without a hub). */
export const inputLimitSettingsSchema = z.object(inputLimitSettings);

/**
 * The bounds an adapter's context carries (`ctx.limits`), from the settings.
 *
 * @example
 * readContext({ logger, signal, now, limits: inputLimitsOf(config) }, adapterConfig, undefined);
 */
export function inputLimitsOf(settings: z.output<typeof inputLimitSettingsSchema>): InputLimits {
  const limits = { ...DEFAULT_INPUT_LIMITS };
  for (const [name, variable] of Object.entries(INPUT_LIMIT_SETTINGS) as Array<[keyof InputLimits, string]>)
    limits[name] = settings[variable as keyof typeof settings];
  return limits;
}

// What operators scrape: the API's GET /metrics and, when a port is given, a worker's own.
const metricsSettings = {
  // Metrics name schools, targets and queue depths, nothing personal, but they are no one else's
  // business either: with a token, a scrape without it is refused (Prometheus: `authorization`).
  METRICS_TOKEN: setting(z.string().min(16).max(512).optional(), {
    expects:
      'a bearer token of 16–512 characters that GET /metrics requires (API and worker); unset: /metrics is open',
    secret: true,
  }),
  WORKER_METRICS_PORT: setting(integer(0, 65_535).default(0), {
    expects: "a port for the worker's own GET /metrics, 1–65535; 0: none",
  }),
  WORKER_METRICS_HOST: setting(z.string().min(1).max(255).default('127.0.0.1'), {
    expects: "the address the worker's /metrics listens on (default 127.0.0.1, this machine only)",
  }),
};

/** Only the settings the record rules read (for commands that check files without a hub). */
export const ruleSettingsSchema = z.object(ruleSettings);

/**
 * The settings by concern, in the order docs/settings.md lists them (`npm run settings-doc`): every
 * section spread into `configSchema` appears here once, which a test checks.
 */
export const SETTING_SECTIONS: readonly { title: string; settings: Readonly<Record<string, z.ZodType>> }[] = [
  { title: 'Chạy / Runtime', settings: runtimeSettings },
  { title: 'API và HTTP / The API and HTTP', settings: httpSettings },
  { title: 'Cơ sở dữ liệu / The database', settings: databaseSettings },
  { title: 'Redis và hàng đợi / Redis and the queues', settings: redisSettings },
  { title: 'Dòng lệnh / The command line', settings: cliSettings },
  { title: 'Khoá và kho dữ liệu / Keys and the store', settings: storeSettings },
  {
    title: 'CSDL ngành Giáo dục qua LGSP / The city Education DB through the LGSP',
    settings: cityEduDbSettings,
  },
  { title: 'SSC (thu ngân sách) / SSC, the city’s revenue system', settings: sscSettings },
  { title: 'C06 (dân cư quốc gia) / C06, the national population database', settings: c06Settings },
  { title: 'Đăng nhập một lần VNeID / VNeID single sign-on', settings: ssoSettings },
  { title: 'Đồng bộ / Sync runs', settings: syncSettings },
  { title: 'Quy tắc dữ liệu / The record rules', settings: ruleSettings },
  { title: 'Giới hạn đầu vào / Input bounds', settings: inputLimitSettings },
  { title: 'Chỉ số / Metrics', settings: metricsSettings },
];

const REQUIRED_IN_PRODUCTION = ['DATA_KEYS', 'BLIND_INDEX_KEY'] as const;

export const configSchema = z
  .object({
    ...runtimeSettings,
    ...httpSettings,
    ...databaseSettings,
    ...redisSettings,
    ...cliSettings,
    ...storeSettings,
    ...cityEduDbSettings,
    ...sscSettings,
    ...c06Settings,
    ...ssoSettings,
    ...syncSettings,
    ...ruleSettings,
    ...inputLimitSettings,
    ...metricsSettings,
  })
  .superRefine((config, ctx) => {
    checkPublicUrl(config, ctx);
    if (config.NODE_ENV !== 'production') return;
    for (const name of REQUIRED_IN_PRODUCTION) {
      if (!config[name]) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${name} must be set when NODE_ENV=production`,
        });
      }
    }
  });

export type Config = z.output<typeof configSchema>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * PUBLIC_URL (or its older name SSO_PUBLIC_URL) is an origin, the two agree when both are set, and
 * in production it is https unless the hub is only reached on this machine.
 */
function checkPublicUrl(
  config: { PUBLIC_URL?: string | undefined; SSO_PUBLIC_URL?: string | undefined; NODE_ENV: string },
  ctx: z.RefinementCtx,
): void {
  for (const name of ['PUBLIC_URL', 'SSO_PUBLIC_URL'] as const) {
    const value = config[name];
    if (value === undefined) continue;
    const url = new URL(value);
    if (
      url.pathname !== '/' ||
      url.search !== '' ||
      url.hash !== '' ||
      url.username !== '' ||
      url.password !== ''
    ) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `${name} must be scheme and host only (no path, query, fragment or user), e.g. https://edubridge.example.vn`,
      });
      return;
    }
  }
  if (
    config.PUBLIC_URL &&
    config.SSO_PUBLIC_URL &&
    new URL(config.PUBLIC_URL).origin !== new URL(config.SSO_PUBLIC_URL).origin
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['SSO_PUBLIC_URL'],
      message:
        'SSO_PUBLIC_URL differs from PUBLIC_URL: set PUBLIC_URL only (SSO_PUBLIC_URL is its older name)',
    });
    return;
  }
  const publicUrl = config.PUBLIC_URL ?? config.SSO_PUBLIC_URL;
  if (config.NODE_ENV !== 'production' || publicUrl === undefined) return;
  const url = new URL(publicUrl);
  if (url.protocol !== 'https:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    ctx.addIssue({
      code: 'custom',
      path: [config.PUBLIC_URL ? 'PUBLIC_URL' : 'SSO_PUBLIC_URL'],
      message: 'must be https when NODE_ENV=production (http only on a loopback host)',
    });
  }
}

/** The hub's public origin (`https://host[:port]`), from PUBLIC_URL or its older name SSO_PUBLIC_URL. */
export function publicUrlOf(config: Pick<Config, 'PUBLIC_URL' | 'SSO_PUBLIC_URL'>): string | undefined {
  const value = config.PUBLIC_URL ?? config.SSO_PUBLIC_URL;
  return value === undefined ? undefined : new URL(value).origin;
}

/** Whether Swagger UI and the OpenAPI document are served (off by default in production). */
export function apiDocsOn(config: Pick<Config, 'API_DOCS' | 'NODE_ENV'>): boolean {
  return (config.API_DOCS ?? (config.NODE_ENV === 'production' ? 'off' : 'on')) === 'on';
}
