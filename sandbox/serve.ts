/**
 * `edubridge sandbox serve`: the simulators of one generated district on their own, for vendors
 * writing adapters and district IT trying the hub: the LGSP gateway (in a personality) in front of
 * the city Education DB and SSC, C06 behind an X-Road (NDXP) gateway of its own, VNeID, and the
 * vendor school systems (REST, SOAP, OneRoster). It says where each one is, with what credentials,
 * and how to make it misbehave; and it gives the hub's settings that reach them, so the hub finds
 * them by configuration alone, as it would the real systems.
 *
 * Simulators with no fault endpoint of their own (C06, VNeID, OneRoster, the gateways' token
 * expiry) get one on a small control server, whose `GET /` describes the whole sandbox as JSON.
 *
 * @example
 * const served = await startServedSandbox({ schools: 1, seed: 2026, personality: 'wso2',
 *   host: '127.0.0.1', portBase: 0, hubUrl: 'http://127.0.0.1:8080' });
 * await writeFile('sandbox.env', renderEnvFile(served.settings({ sourcesFile: 'sources.json' })));
 * await served.close();
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import type { CanonicalRecord, Student, Teacher } from '../src/model/index.ts';
import type { C06FaultPlan } from './c06/index.ts';
import {
  CITY_EDUDB_SERVICE,
  type CitySandbox,
  sandboxGatewayClientOptions,
  startCitySandbox,
} from './city-edudb/index.ts';
import type { LgspGateway, LgspPersonality } from './lgsp/index.ts';
import { portFor, type ServePortName } from './serve-ports.ts';
import { SSC_SERVICE, sandboxCollectionAccount } from './ssc/index.ts';
import { ADMIN_PREFIX } from './vendors/shared/admin.ts';
import type { VneidAttack, VneidCitizen, VneidSandbox } from './vneid/index.ts';

export const SERVE_PERSONALITIES: readonly LgspPersonality[] = ['wso2', 'vnpt-lgsp', 'xroad'];

const generateRsaKeyPair = promisify(generateKeyPair);

/** The size of each generated school: small enough to start in seconds, big enough to sync. */
const DISTRICT_SHAPE = { classesPerGrade: 2, classSize: 30 } as const;

/** The variable the sources file names the vendor API key by (`{"env": …}`). */
export const VENDOR_KEY_VARIABLE = 'SANDBOX_VENDOR_API_KEY';
/** Where the REST school system is, for a vendor's sources file (`{"env": …}`). */
export const REST_URL_VARIABLE = 'SANDBOX_REST_SCHOOL_URL';
/** Where the control server is, for scripts that turn the knobs (not a hub setting). */
export const CONTROL_URL_VARIABLE = 'SANDBOX_CONTROL_URL';
const VENDOR_API_KEY = 'sandbox-vendor-key';
const SOAP_CREDENTIALS = { username: 'edubridge', password: 'sandbox-password' } as const;
const ONEROSTER_CLIENT = { clientId: 'edubridge-sandbox', clientSecret: 'sandbox-secret' } as const;
/** The hub as a relying party of the VNeID sandbox. */
const HUB_AT_VNEID = { clientId: 'edubridge-hub', clientSecret: 'edubridge-sandbox-vneid-secret' } as const;
/**
 * A district official: who asks C06 (MaCanBo) and who may sign in to the console through VNeID as
 * district staff (SSO_DISTRICT_ADMINS). Made up; not in the generated population.
 */
const DISTRICT_OFFICIAL: VneidCitizen = {
  personalId: '079085000123',
  fullName: 'Lê Minh Quang',
  birthDate: '1985-04-12',
  gender: 'male',
};
const C06_UNIT_CODE = 'H29.SGDDT';
/** Receiver agency codes (vnpt-lgsp) of the city Education DB and of SSC, as the tests use them. */
const RECEIVER_CODES = { city: '000.20.00.H29', ssc: '000.21.00.H29' } as const;

export interface ServeOptions {
  schools: number;
  seed: number;
  personality: LgspPersonality;
  /** The address every server listens on. */
  host: string;
  /** 0: any free ports; else one port each from this one on, in `SERVE_PORT_ORDER` (serve-ports.ts). */
  portBase: number;
  /** Where the hub will be: VNeID's registered redirect URI and PUBLIC_URL come from it. */
  hubUrl: string;
}

export interface SimulatorInfo {
  id: ServePortName;
  /** Vietnamese / English. */
  name: string;
  url: string;
  credentials: string[];
  /** Admin and fault endpoints, each as `METHOD URL  what`. */
  knobs: string[];
}

export interface TestAccount {
  personalId: string;
  fullName: string;
  birthDate: string;
  /** Vietnamese / English. */
  role: string;
}

export interface EnvSection {
  title: string;
  entries: Array<[name: string, value: string]>;
}

export interface SourceEntry {
  adapter: 'rest';
  config: {
    baseUrl: string;
    profile: Record<string, unknown>;
    auth: { type: 'apiKey'; key: { env: string } };
  };
}

export interface ServedSandbox {
  options: ServeOptions;
  schoolCodes: string[];
  simulators: SimulatorInfo[];
  testAccounts: TestAccount[];
  controlUrl: string;
  /** The hub's settings that reach the simulators, in sections, as the env file holds them. */
  settings(files: { sourcesFile?: string }): EnvSection[];
  /** One source per school: the built-in `rest` adapter on the REST school system. */
  sources(): Record<string, SourceEntry>;
  close(): Promise<void>;
}

/** Starts every simulator of the district; on a failure, closes what had started and rethrows. */
export async function startServedSandbox(options: ServeOptions): Promise<ServedSandbox> {
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    // Last started, first closed: the control server first, the city side last.
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  };
  try {
    return await startAll(options, closers, closeAll);
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function startAll(
  options: ServeOptions,
  closers: Array<() => Promise<unknown>>,
  closeAll: () => Promise<void>,
): Promise<ServedSandbox> {
  const { schools, seed, personality, host, portBase } = options;
  const port = (name: ServePortName) => portFor(portBase, name);
  const district = { schools, seed, ...DISTRICT_SHAPE };
  // VNeID's signing key is made on the thread pool while the district is generated.
  const signingKey = generateRsaKeyPair('rsa', { modulusLength: 2048 }).then((pair) => pair.privateKey);
  signingKey.catch(() => {});

  const city = await startCitySandbox({
    personality,
    host,
    ports: {
      gateway: port('gateway'),
      city: port('city'),
      ssc: port('ssc'),
      c06Gateway: port('c06Gateway'),
      c06: port('c06'),
    },
    // As the demo: a few students the city does not know yet, a few it spells otherwise.
    district: { ...district, unknownEvery: 25, differEvery: 20, cityOnly: 1 },
    ssc: true,
    c06: { seed },
  });
  closers.push(() => city.close());
  const c06 = city.c06!;

  const { startVneidSandbox } = await import('./vneid/index.ts');
  const citizens: VneidCitizen[] = [
    DISTRICT_OFFICIAL,
    ...c06.population.citizens.map((c) => ({
      personalId: c.personalId,
      fullName: c.fullName,
      birthDate: c.birthDate,
      gender: c.gender ?? ('male' as const),
    })),
  ];
  const redirectUri = `${options.hubUrl}/sso/callback`;
  const vneid = await startVneidSandbox({
    personality: 'dvcqg',
    citizens,
    clients: [{ ...HUB_AT_VNEID, redirectUris: [redirectUri] }],
    signingKey: await signingKey,
    host,
    port: port('vneid'),
  });
  closers.push(() => vneid.close());

  const at = (name: ServePortName) => ({ host, ...(port(name) ? { port: port(name) } : {}) });
  const { startRestSchool } = await import('./vendors/rest-school/index.ts');
  const rest = await startRestSchool({
    ...district,
    auth: { type: 'apiKey', key: VENDOR_API_KEY },
    ...at('restSchool'),
  });
  closers.push(() => rest.close());
  const { startSoapSchool } = await import('./vendors/soap-school/index.ts');
  const soap = await startSoapSchool({
    ...district,
    auth: { type: 'basic', ...SOAP_CREDENTIALS },
    ...at('soapSchool'),
  });
  closers.push(() => soap.close());
  const { startOneRosterProvider } = await import('./vendors/oneroster/index.ts');
  const oneRoster = await startOneRosterProvider({ ...district, ...ONEROSTER_CLIENT, ...at('oneRoster') });
  closers.push(() => oneRoster.close());

  const schoolCodes = rest.state.data.schools.map((s) => String(s.maTruong)).sort();
  const testAccounts = testAccountsOf(city);

  let controlUrl = '';
  const simulators = (): SimulatorInfo[] =>
    describeSimulators({ options, city, vneid, rest, soap, oneRoster, controlUrl, redirectUri });
  const control = await startControl({
    ...at('control'),
    gateways: { gateway: city.gateway, c06Gateway: c06.gateway },
    c06: (plan) => c06.sandbox.setFaults(plan),
    vneid,
    oneRoster,
    describe: () => ({ schools: schoolCodes, simulators: simulators(), testAccounts }),
  });
  controlUrl = control.url;
  closers.push(() => control.close());

  // One per start: the hub's SSO cookies signed under it stay good while this sandbox runs.
  const cookieKey = randomBytes(24).toString('base64url');
  const settings = (files: { sourcesFile?: string }): EnvSection[] => {
    const gatewayEntries = (prefix: string, client: object) =>
      gatewaySettings(prefix, client as GatewayClientLike);
    return [
      {
        title: `Cổng LGSP → CSDL ngành / LGSP gateway → city Education DB (service ${CITY_EDUDB_SERVICE})`,
        entries: gatewayEntries(
          'CITY_EDUDB',
          sandboxGatewayClientOptions(city.gatewayUrl, personality, 'city-edudb', RECEIVER_CODES.city),
        ),
      },
      {
        title: `Cổng LGSP → SSC / LGSP gateway → SSC (service ${SSC_SERVICE})`,
        entries: [
          ...gatewayEntries(
            'SSC',
            sandboxGatewayClientOptions(city.gatewayUrl, personality, 'ssc', RECEIVER_CODES.ssc),
          ),
          ['SSC_SERVICE', SSC_SERVICE],
          [
            'SSC_COLLECTION_ACCOUNTS',
            JSON.stringify(Object.fromEntries(schoolCodes.map((c) => [c, sandboxCollectionAccount(c)]))),
          ],
        ],
      },
      {
        title: 'Cổng NDXP (X-Road) → C06 / NDXP (X-Road) gateway → C06',
        entries: [
          ...gatewayEntries('C06', c06.gatewayClientOptions()),
          ['C06_SERVICE', 'c06'],
          ['C06_OFFICIAL_ID', DISTRICT_OFFICIAL.personalId],
          ['C06_UNIT_CODE', C06_UNIT_CODE],
        ],
      },
      {
        title: 'Đăng nhập một lần qua VNeID / Single sign-on through VNeID (dvcqg)',
        entries: [
          ['PUBLIC_URL', options.hubUrl],
          ['SSO_UPSTREAM', 'dvcqg'],
          ['VNEID_ISSUER', vneid.issuer],
          ['VNEID_CLIENT_ID', HUB_AT_VNEID.clientId],
          ['VNEID_CLIENT_SECRET', HUB_AT_VNEID.clientSecret],
          ['SSO_COOKIE_KEYS', cookieKey],
          ['SSO_DISTRICT_ADMINS', JSON.stringify({ [DISTRICT_OFFICIAL.personalId]: schoolCodes })],
        ],
      },
      {
        title: 'Nguồn dữ liệu các trường / The schools’ sources (REST school system)',
        entries: [
          ...(files.sourcesFile ? ([['SOURCES_FILE', files.sourcesFile]] as Array<[string, string]>) : []),
          [VENDOR_KEY_VARIABLE, VENDOR_API_KEY],
          // For a vendor's own sources file: {"env": "SANDBOX_REST_SCHOOL_URL"} is the school system.
          [REST_URL_VARIABLE, rest.url],
          ['SANDBOX_SCHOOL_CODES', schoolCodes.join(',')],
        ],
      },
      {
        title:
          'Núm lỗi giả của sandbox (không phải thiết lập của hub) / The sandbox’s fault knobs (not a hub setting)',
        entries: [[CONTROL_URL_VARIABLE, controlUrl]],
      },
    ];
  };
  const { sandboxSchoolProfile } = await import('./vendors/rest-school/profile.ts');
  const sources = () =>
    Object.fromEntries(
      schoolCodes.map((code): [string, SourceEntry] => [
        code,
        {
          adapter: 'rest',
          config: {
            baseUrl: rest.url,
            profile: sandboxSchoolProfile(code),
            auth: { type: 'apiKey', key: { env: VENDOR_KEY_VARIABLE } },
          },
        },
      ]),
    );

  return {
    options,
    schoolCodes,
    get simulators() {
      return simulators();
    },
    testAccounts,
    controlUrl,
    settings,
    sources,
    close: closeAll,
  };
}

/** The client options `sandboxGatewayClientOptions` gives, as far as settings are concerned. */
interface GatewayClientLike {
  personality: LgspPersonality;
  baseUrl: string;
  wso2?: { consumerKey: string; consumerSecret: string };
  vnpt?: {
    accessKey: string;
    secretKey: string;
    appName: string;
    partnerCode: string;
    partnerCodeCus: string;
    senderCode: string;
    defaultReceiverCode: string;
  };
  xroad?: { client: string; apiKey: string; userName: string; secretKey: string };
}

/** The hub's `<PREFIX>_…` gateway settings (src/config/schema.ts) for gateway client options. */
export function gatewaySettings(prefix: string, o: GatewayClientLike): Array<[string, string]> {
  const entries: Array<[string, string]> = [
    ['GATEWAY', o.personality],
    ['GATEWAY_URL', o.baseUrl],
  ];
  if (o.wso2) entries.push(['CONSUMER_KEY', o.wso2.consumerKey], ['CONSUMER_SECRET', o.wso2.consumerSecret]);
  if (o.vnpt)
    entries.push(
      ['ACCESS_KEY', o.vnpt.accessKey],
      ['SECRET_KEY', o.vnpt.secretKey],
      ['APP_NAME', o.vnpt.appName],
      ['PARTNER_CODE', o.vnpt.partnerCode],
      ['PARTNER_CODE_CUS', o.vnpt.partnerCodeCus],
      ['SENDER_CODE', o.vnpt.senderCode],
      ['RECEIVER_CODE', o.vnpt.defaultReceiverCode],
    );
  if (o.xroad)
    entries.push(
      ['XROAD_CLIENT', o.xroad.client],
      ['API_KEY', o.xroad.apiKey],
      ['USER_NAME', o.xroad.userName],
      ['SECRET_KEY', o.xroad.secretKey],
    );
  return entries.map(([name, value]) => [`${prefix}_${name}`, value]);
}

/** A teacher, a guardian and a student of the first school, and the district official. */
function testAccountsOf(city: CitySandbox): TestAccount[] {
  const byId = new Map(city.c06!.population.citizens.map((c) => [c.personalId, c]));
  const records = [...city.records.values()].flat() as CanonicalRecord[];
  const accounts: TestAccount[] = [{ ...pick(DISTRICT_OFFICIAL), role: 'cán bộ quận / district official' }];
  const add = (id: string | undefined, role: string) => {
    const citizen = id ? byId.get(id) : undefined;
    if (citizen) accounts.push({ ...pick(citizen), role });
  };
  const teacher = records.find((r): r is Teacher => r.type === 'teacher' && !!(r as Teacher).personalId);
  add(teacher?.personalId, 'giáo viên / teacher');
  const students = records.filter((r): r is Student => r.type === 'student');
  const guardian = students
    .flatMap((s) => s.guardians ?? [])
    .find((g) => g.personalId && byId.has(g.personalId));
  add(guardian?.personalId, 'phụ huynh / guardian');
  add(students.find((s) => s.personalId && byId.has(s.personalId))?.personalId, 'học sinh / student');
  return accounts;
}

const pick = (c: { personalId: string; fullName: string; birthDate: string }) => ({
  personalId: c.personalId,
  fullName: c.fullName,
  birthDate: c.birthDate,
});

function gatewayCredentials(gateway: LgspGateway, personality: LgspPersonality, services: string): string[] {
  const o = sandboxGatewayClientOptions(gateway.url, personality, '', '') as GatewayClientLike;
  switch (personality) {
    case 'wso2':
      return [
        `consumer key: ${o.wso2!.consumerKey}   consumer secret: ${o.wso2!.consumerSecret}`,
        `token: POST ${gateway.url}/token (grant_type=client_credentials, HTTP Basic)`,
        `gọi / calls: POST ${gateway.url}/{service}/1.0/{operation}, Bearer token; service: ${services}`,
      ];
    case 'vnpt-lgsp':
      return [
        `AccessKey: ${o.vnpt!.accessKey}   SecretKey: ${o.vnpt!.secretKey}   AppName: ${o.vnpt!.appName}`,
        `PartnerCode: ${o.vnpt!.partnerCode}   PartnerCodeCus: ${o.vnpt!.partnerCodeCus}`,
        `token: POST ${gateway.url}/xacthuc (header lgspaccesstoken, grant_type=client_credentials)`,
        `gọi / calls: POST ${gateway.url}/{service}/{operation}, headers sender_code, receiver_code, tran_code; service: ${services}`,
      ];
    case 'xroad':
      return [
        `X-Road-Client: ${o.xroad!.client}   ApiKey: ${o.xroad!.apiKey}`,
        `user name: ${o.xroad!.userName}   secret key: ${o.xroad!.secretKey} (Basic user:sha256(url + user + Timestamp + secret))`,
        `gọi / calls: POST ${gateway.url}/r1/{service}/{operation}; service: ${services}`,
      ];
  }
}

const gatewayKnobs = (url: string, controlUrl: string, which: string) => [
  `POST ${url}/_sandbox/faults   {"rateLimit":{"count":3,"retryAfterSeconds":1}} · serverErrors · slow · malformed · oversized · gatewayErrors; {} = hết / none`,
  `POST ${url}/_sandbox/quota    {"requestsPerSecond":5}; {} = bỏ / lifted`,
  `GET  ${url}/_sandbox/state`,
  `POST ${controlUrl}/${which}/expire-tokens   mọi token hết hạn / every token expires`,
];

const vendorKnobs = (url: string, tokens: boolean) => [
  `POST ${url}${ADMIN_PREFIX}/faults   {"serverErrors":{"count":2}} · rateLimit · latencyMs · brokenPages · shortPages · emptyPages · hollowPages · vendorErrors`,
  `POST ${url}${ADMIN_PREFIX}/mutate   {"students":{"update":5,"delete":2}}`,
  ...(tokens ? [`POST ${url}${ADMIN_PREFIX}/revoke-tokens`] : []),
  `GET  ${url}${ADMIN_PREFIX}/state`,
];

function describeSimulators(s: {
  options: ServeOptions;
  city: CitySandbox;
  vneid: VneidSandbox;
  rest: { url: string };
  soap: { url: string; wsdlUrl: string; endpoint: string };
  oneRoster: { url: string; tokenUrl: string; rosteringUrl: string; gradebookUrl: string };
  controlUrl: string;
  redirectUri: string;
}): SimulatorInfo[] {
  const { city, vneid, rest, soap, oneRoster, controlUrl } = s;
  const c06 = city.c06!;
  const ssc = city.ssc!;
  const personality = s.options.personality;
  return [
    {
      id: 'gateway',
      name: `Cổng LGSP / LGSP gateway (${personality})`,
      url: city.gatewayUrl,
      credentials: gatewayCredentials(city.gateway, personality, `${CITY_EDUDB_SERVICE}, ${SSC_SERVICE}`),
      knobs: gatewayKnobs(city.gatewayUrl, controlUrl, 'gateway'),
    },
    {
      id: 'city',
      name: 'CSDL ngành GD&ĐT / City Education DB',
      url: city.city.url,
      credentials: [
        `qua cổng LGSP / through the LGSP gateway, service ${CITY_EDUDB_SERVICE}; trực tiếp không cần đăng nhập / direct: no credentials (${city.city.url}/api/{operation})`,
      ],
      knobs: [
        `POST ${city.city.url}/_sandbox/faults   {"unavailable":{"count":2}} · outage · refuse · latencyMs · malformed · stall`,
        `GET  ${city.city.url}/_sandbox/state · /_sandbox/records?school=…`,
      ],
    },
    {
      id: 'ssc',
      name: 'SSC (thu phí / revenue)',
      url: ssc.url,
      credentials: [
        `qua cổng LGSP / through the LGSP gateway, service ${SSC_SERVICE}; trực tiếp không cần đăng nhập / direct: no credentials`,
      ],
      knobs: [
        `POST ${ssc.url}/_sandbox/faults   {"errorRate":0.2} · latencyMs · unavailable · refuse · malformed`,
        `POST ${ssc.url}/_sandbox/pay      {"share":0.6,"seed":1}   phụ huynh nộp tiền / parents pay`,
        `GET  ${ssc.url}/_sandbox/state · /_sandbox/records?school=…`,
      ],
    },
    {
      id: 'c06Gateway',
      name: 'Cổng NDXP / NDXP gateway (xroad)',
      url: c06.gateway.url,
      credentials: gatewayCredentials(c06.gateway, 'xroad', 'c06'),
      knobs: gatewayKnobs(c06.gateway.url, controlUrl, 'c06-gateway'),
    },
    {
      id: 'c06',
      name: 'C06 (CSDL quốc gia về dân cư / population DB)',
      url: c06.sandbox.url,
      credentials: [
        `qua cổng NDXP / through the NDXP gateway, service c06 (SOAP, WSDL: ${c06.sandbox.endpoint}?wsdl)`,
      ],
      knobs: [
        `POST ${controlUrl}/c06/faults   {"latencyMs":500,"errorRate":0.1,"faultEvery":5}; {} = hết / none`,
      ],
    },
    {
      id: 'vneid',
      name: 'VNeID (dvcqg, OpenID Connect)',
      url: vneid.url,
      credentials: [
        `issuer: ${vneid.issuer}`,
        `client id: ${HUB_AT_VNEID.clientId}   client secret: ${HUB_AT_VNEID.clientSecret}`,
        `redirect URI: ${s.redirectUri}`,
      ],
      knobs: [
        `POST ${controlUrl}/vneid/attack   {"attack":"id_token_wrong_nonce"} · id_token_foreign_key · id_token_expired · id_token_wrong_audience · userinfo_tampered; {"attack":null} = hết / none`,
      ],
    },
    {
      id: 'restSchool',
      name: 'Phần mềm trường (REST) / School system (REST)',
      url: rest.url,
      credentials: [
        `X-Api-Key: ${VENDOR_API_KEY}`,
        `${rest.url}/api/v1/hoc-sinh · giao-vien · lop · khoan-thu · phieu-bao-thu · da-xoa · truong`,
      ],
      knobs: vendorKnobs(rest.url, false),
    },
    {
      id: 'soapSchool',
      name: 'Phần mềm trường (SOAP) / School system (SOAP)',
      url: soap.url,
      credentials: [
        `HTTP Basic: ${SOAP_CREDENTIALS.username} / ${SOAP_CREDENTIALS.password}`,
        `WSDL: ${soap.wsdlUrl}`,
      ],
      knobs: vendorKnobs(soap.url, false),
    },
    {
      id: 'oneRoster',
      name: 'OneRoster 1.2',
      url: oneRoster.url,
      credentials: [
        `client id: ${ONEROSTER_CLIENT.clientId}   client secret: ${ONEROSTER_CLIENT.clientSecret}`,
        `token: POST ${oneRoster.tokenUrl} (client_credentials)`,
        `${oneRoster.rosteringUrl} · ${oneRoster.gradebookUrl}`,
      ],
      knobs: [
        `POST ${controlUrl}/oneroster/faults   {"kind":"status","status":429,"retryAfter":1,"times":2} · slow · malformed · empty · reset · truncated · expireToken`,
        `POST ${controlUrl}/oneroster/clear-faults · /oneroster/expire-tokens`,
        `POST ${controlUrl}/oneroster/mutate   {"change":2,"delete":1}`,
      ],
    },
    {
      id: 'control',
      name: 'Bảng điều khiển sandbox / Sandbox control',
      url: controlUrl,
      credentials: ['không cần đăng nhập / no credentials'],
      knobs: [`GET  ${controlUrl}/   mô tả toàn bộ (JSON) / the whole sandbox as JSON`],
    },
  ];
}

interface ControlOptions {
  host: string;
  port?: number;
  gateways: Record<'gateway' | 'c06Gateway', LgspGateway>;
  c06: (plan: C06FaultPlan) => void;
  vneid: VneidSandbox;
  oneRoster: {
    fail(fault: never): void;
    clearFaults(): void;
    expireTokens(): void;
    mutate(mutation: never): unknown;
  };
  describe: () => unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The knobs of the simulators that have no HTTP endpoint for them, on one small server. */
async function startControl(o: ControlOptions): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const bad = (reply: { code(n: number): { send(b: unknown): unknown } }, vi: string, en: string) =>
    reply.code(400).send({ error: 'invalid_request', message: `${vi} / ${en}` });
  app.get('/', async () => o.describe());
  app.post('/gateway/expire-tokens', async () => {
    o.gateways.gateway.expireTokens();
    return { expired: true };
  });
  app.post('/c06-gateway/expire-tokens', async () => {
    o.gateways.c06Gateway.expireTokens();
    return { expired: true };
  });
  app.post('/c06/faults', async (request, reply) => {
    const body = request.body ?? {};
    const known = ['latencyMs', 'errorRate', 'faultEvery'];
    if (
      !isObject(body) ||
      Object.entries(body).some(([k, v]) => !known.includes(k) || typeof v !== 'number' || v < 0)
    )
      return bad(
        reply,
        `cần {"latencyMs","errorRate","faultEvery"} là số không âm`,
        `expects {"latencyMs","errorRate","faultEvery"} as non-negative numbers`,
      );
    o.c06(body as C06FaultPlan);
    return { faults: body };
  });
  app.post('/vneid/attack', async (request, reply) => {
    const attack = isObject(request.body) ? request.body.attack : undefined;
    try {
      o.vneid.setAttack((attack ?? null) as VneidAttack | null);
    } catch (error) {
      return bad(reply, `kiểu tấn công không rõ`, (error as Error).message);
    }
    return { attack: attack ?? null };
  });
  app.post('/oneroster/faults', async (request, reply) => {
    const faults = Array.isArray(request.body) ? request.body : [request.body];
    if (!faults.every((f) => isObject(f) && typeof f.kind === 'string'))
      return bad(reply, 'cần {"kind": …} hoặc một mảng', 'expects {"kind": …} or an array of them');
    for (const f of faults) o.oneRoster.fail(f as never);
    return { queued: faults.length };
  });
  app.post('/oneroster/clear-faults', async () => {
    o.oneRoster.clearFaults();
    return { cleared: true };
  });
  app.post('/oneroster/expire-tokens', async () => {
    o.oneRoster.expireTokens();
    return { expired: true };
  });
  app.post('/oneroster/mutate', async (request) => o.oneRoster.mutate((request.body ?? {}) as never));
  const url = await app.listen({ host: o.host, port: o.port ?? 0 });
  return { url, close: () => app.close() };
}

/** The env file: a comment per section, one `NAME=value` a line, quoted when the value needs it. */
export function renderEnvFile(sections: readonly EnvSection[], header: readonly string[] = []): string {
  const lines = header.map((h) => `# ${h}`);
  for (const section of sections) {
    if (lines.length > 0) lines.push('');
    lines.push(`# ${section.title}`);
    for (const [name, value] of section.entries) lines.push(`${name}=${envValue(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Plain when safe for dotenv and a POSIX shell alike, else single-quoted (JSON, spaces). */
function envValue(value: string): string {
  if (/^[A-Za-z0-9_./:@,+=-]*$/.test(value)) return value;
  if (/['\n\r]/.test(value)) throw new Error(`a sandbox setting cannot hold a quote or a newline: ${value}`);
  return `'${value}'`;
}

/** Every setting as one object, as `loadConfig` takes an environment. */
export function envOf(sections: readonly EnvSection[]): Record<string, string> {
  return Object.fromEntries(sections.flatMap((s) => s.entries));
}
