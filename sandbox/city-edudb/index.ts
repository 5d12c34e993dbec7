/**
 * The city side for tests and the demo: the city Education DB simulator behind the LGSP gateway
 * simulator, its roster seeded from a generated district in which some students are not known to
 * the city yet (as with a grade-1 intake or a transfer the city has not registered).
 *
 * @example
 * const city = await startCitySandbox({ personality: 'wso2', district: { schools: 1, seed: 7 } });
 * const client = createGatewayClient(city.gatewayClientOptions());
 * // … sync, then compare city.city.contentOf('79NB0001') with what was sent
 * await city.close();
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapClass, mapStudent, mapTeacher } from '../../mappings/city-edudb/v1/index.ts';
import type { CanonicalRecord, Class, Student, Teacher } from '../../src/model/index.ts';
import {
  type C06Sandbox,
  type Population,
  type PopulationOptions,
  populationFromRecords,
  startC06Sandbox,
} from '../c06/index.ts';
import {
  type GenerateOptions,
  generateDistrict,
  type RecordStreamName,
  streamFile,
} from '../generator/index.ts';
import {
  type LgspFaultPlan,
  type LgspGateway,
  type LgspPersonality,
  startLgspGateway,
  type VnptCredentials,
  type Wso2Credentials,
  type XroadCredentials,
} from '../lgsp/index.ts';
import { SSC_SERVICE, type Ssc, type SscFaultPlan, type SscOptions, startSsc } from '../ssc/server.ts';
import { type CityEduDb, type CityFaultPlan, type CityMasterRecord, startCityEduDb } from './server.ts';

export * from './server.ts';

/** The LGSP service name the city Education DB is published under (assumed, ❓). */
export const CITY_EDUDB_SERVICE = 'csdl-nganh';

export const SANDBOX_CREDENTIALS = {
  wso2: { consumerKey: 'edubridge-sandbox-ck', consumerSecret: 'edubridge-sandbox-cs' },
  'vnpt-lgsp': {
    accessKey: 'AK-SANDBOX-H29',
    secretKey: 'SK-SANDBOX-H29',
    appName: 'EDUBRIDGE',
    partnerCode: '000.00.00.H29',
    partnerCodeCus: '000.00.15.H29',
  },
  xroad: {
    client: 'VN/GOV/000.00.00.H29/EDUBRIDGE',
    apiKey: 'apikey-sandbox',
    userName: 'edubridge.sandbox',
    secretKey: 'sandbox-secret',
  },
} as const satisfies {
  wso2: Wso2Credentials;
  'vnpt-lgsp': VnptCredentials;
  xroad: XroadCredentials;
};

/** Streams of the generator the city cares about. */
const CITY_FILES: RecordStreamName[] = [
  'schools',
  'classes',
  'teachers',
  'students',
  'enrollments',
  'assessments',
  'learning-results',
  'timetable',
];

export interface RosterSeedOptions {
  /** Every n-th student (1-based position n, 2n …) is left out of the city's roster; 0 = none. Default 10. */
  unknownEvery?: number;
  /**
   * Every n-th student the city knows differs there as records drift apart in real life: the name
   * as an old system without Vietnamese marks wrote it, or the birth date a day off (alternately);
   * 0 = none (default).
   */
  differEvery?: number;
  /** Students the city still holds for the school that the school no longer has (moved away); default 0. */
  cityOnly?: number;
}

/**
 * The city's master data for a set of canonical records: every class and teacher, and the
 * students except every `unknownEvery`-th, which the city does not know yet.
 */
export function rosterFromRecords(
  records: Iterable<CanonicalRecord>,
  options: RosterSeedOptions = {},
): {
  roster: CityMasterRecord[];
  unknownStudentCodes: Set<string>;
  /** Student code → the roster field that differs from the school's. */
  differingStudents: Map<string, 'HoTen' | 'NgaySinh'>;
  cityOnlyStudentCodes: Set<string>;
} {
  const every = options.unknownEvery ?? 10;
  const differEvery = options.differEvery ?? 0;
  const roster: CityMasterRecord[] = [];
  const unknownStudentCodes = new Set<string>();
  const differingStudents = new Map<string, 'HoTen' | 'NgaySinh'>();
  const cityOnlyStudentCodes = new Set<string>();
  let n = 0;
  let known = 0;
  for (const r of records) {
    try {
      if (r.type === 'class') roster.push({ kind: 'LopHoc', record: mapClass(r as Class) });
      else if (r.type === 'teacher') roster.push({ kind: 'GiaoVien', record: mapTeacher(r as Teacher) });
      else if (r.type === 'student') {
        n++;
        if (every > 0 && n % every === 0) {
          unknownStudentCodes.add(r.studentCode);
          continue;
        }
        const record: Record<string, unknown> = { ...mapStudent(r as Student) };
        known++;
        if (differEvery > 0 && known % differEvery === 0) {
          const field = (known / differEvery) % 2 === 1 ? 'HoTen' : 'NgaySinh';
          if (field === 'HoTen') record.HoTen = withoutMarks(String(record.HoTen));
          else record.NgaySinh = dayLater(String(record.NgaySinh));
          differingStudents.set(r.studentCode, field);
        }
        if (cityOnlyStudentCodes.size < (options.cityOnly ?? 0)) {
          // A student who moved away: the school dropped them, the city did not hear of it.
          const { SoDinhDanh: _id, ...rest } = record;
          const moved = { ...rest, MaHocSinh: `${r.studentCode}CU` };
          roster.push({ kind: 'HocSinh', record: moved });
          cityOnlyStudentCodes.add(String(moved.MaHocSinh));
        }
        roster.push({ kind: 'HocSinh', record });
      }
    } catch {
      // A record the mapping refuses (an injected defect) is not master data the city would hold.
    }
  }
  return { roster, unknownStudentCodes, differingStudents, cityOnlyStudentCodes };
}

/** The name as a system without Vietnamese marks keeps it (Đ counting as D). */
function withoutMarks(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').replace(/Đ/g, 'D').replace(/đ/g, 'd');
}

/** dd/MM/yyyy one day later, staying a valid date (the 28th wraps to the 1st). */
function dayLater(dmy: string): string {
  const [d, m, y] = dmy.split('/');
  const day = (Number(d) % 28) + 1;
  return `${String(day).padStart(2, '0')}/${m}/${y}`;
}

/** Reads a generated district's files back as canonical records, per generator stream. */
export async function readDistrict(
  dir: string,
  streams: readonly RecordStreamName[] = CITY_FILES,
): Promise<Map<RecordStreamName, CanonicalRecord[]>> {
  const out = new Map<RecordStreamName, CanonicalRecord[]>();
  for (const s of streams) {
    const text = await readFile(join(dir, streamFile(s)), 'utf8').catch(() => '');
    out.set(
      s,
      text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as CanonicalRecord),
    );
  }
  return out;
}

export interface CitySandboxOptions {
  personality?: LgspPersonality;
  /** Generate a district and seed the city's roster from it; omitted = the city starts empty. */
  district?: Omit<GenerateOptions, 'outDir'> & RosterSeedOptions;
  gatewayFaults?: LgspFaultPlan;
  cityFaults?: CityFaultPlan;
  tokenTtlSeconds?: number;
  /** Also start the SSC simulator behind the same gateway (service `ssc`); default no. */
  ssc?: boolean | Omit<SscOptions, 'faults'>;
  sscFaults?: SscFaultPlan;
  /**
   * Also start the C06 simulator, its population built from the district (with discrepancies),
   * behind a gateway of its own in the X-Road personality, as the national exchange (NDXP) is.
   */
  c06?: boolean | PopulationOptions;
  /** The address every server listens on (default 127.0.0.1). */
  host?: string;
  /** Fixed ports per server (default 0 each: any free port). */
  ports?: CitySandboxPorts;
}

export interface CitySandboxPorts {
  /** The LGSP gateway in front of the city Education DB and SSC. */
  gateway?: number;
  city?: number;
  ssc?: number;
  /** The X-Road (NDXP) gateway in front of C06. */
  c06Gateway?: number;
  c06?: number;
}

export interface C06Side {
  sandbox: C06Sandbox;
  gateway: LgspGateway;
  population: Population;
  /** Options for `createGatewayClient` that reach C06 through its gateway (target `c06`). */
  gatewayClientOptions(): ReturnType<typeof sandboxGatewayClientOptions>;
}

export interface CitySandbox {
  personality: LgspPersonality;
  gatewayUrl: string;
  service: string;
  credentials: (typeof SANDBOX_CREDENTIALS)[LgspPersonality];
  gateway: LgspGateway;
  city: CityEduDb;
  /** The SSC simulator, when asked for (`ssc`). */
  ssc?: Ssc;
  /** The C06 simulator and its gateway, when asked for (`c06`). */
  c06?: C06Side;
  /** The generated district's records per generator stream (empty without `district`). */
  records: Map<RecordStreamName, CanonicalRecord[]>;
  /** Students of the district the city does not know. */
  unknownStudentCodes: Set<string>;
  /** Students the city knows with another name spelling or birth date (`differEvery`). */
  differingStudents: Map<string, 'HoTen' | 'NgaySinh'>;
  /** Students only the city still holds (`cityOnly`). */
  cityOnlyStudentCodes: Set<string>;
  /**
   * Options for `createGatewayClient` (src/gateway) that reach this sandbox. Typed loosely so
   * the sandbox does not depend on the hub's code.
   */
  gatewayClientOptions(target?: string): Record<string, unknown> & {
    personality: LgspPersonality;
    baseUrl: string;
    target: string;
  };
  close(): Promise<void>;
}

type GatewayCommon = Omit<Parameters<typeof startLgspGateway>[0], 'personality' | 'credentials'>;

/** An LGSP gateway simulator in the given personality with the sandbox credentials. */
export function startSandboxGateway(
  personality: LgspPersonality,
  common: GatewayCommon,
): Promise<LgspGateway> {
  return personality === 'wso2'
    ? startLgspGateway({ ...common, personality, credentials: SANDBOX_CREDENTIALS.wso2 })
    : personality === 'vnpt-lgsp'
      ? startLgspGateway({ ...common, personality, credentials: SANDBOX_CREDENTIALS['vnpt-lgsp'] })
      : startLgspGateway({ ...common, personality, credentials: SANDBOX_CREDENTIALS.xroad });
}

/**
 * Options for `createGatewayClient` (src/gateway) that reach a sandbox gateway, typed loosely so
 * the sandbox does not depend on the hub's code. `receiverCode` names the system behind it (vnpt).
 */
export function sandboxGatewayClientOptions(
  baseUrl: string,
  personality: LgspPersonality,
  target: string,
  receiverCode: string,
) {
  const base = { target, baseUrl, personality };
  switch (personality) {
    case 'wso2':
      return { ...base, wso2: { ...SANDBOX_CREDENTIALS.wso2 } };
    case 'vnpt-lgsp':
      return {
        ...base,
        vnpt: {
          ...SANDBOX_CREDENTIALS['vnpt-lgsp'],
          senderCode: '000.00.00.H29',
          defaultReceiverCode: receiverCode,
        },
      };
    case 'xroad':
      return { ...base, xroad: { ...SANDBOX_CREDENTIALS.xroad } };
  }
}

/** Starts the city Education DB simulator and an LGSP gateway simulator routing to it. */
export async function startCitySandbox(options: CitySandboxOptions = {}): Promise<CitySandbox> {
  const personality = options.personality ?? 'wso2';
  let records = new Map<RecordStreamName, CanonicalRecord[]>();
  let seed: ReturnType<typeof rosterFromRecords> = {
    roster: [],
    unknownStudentCodes: new Set(),
    differingStudents: new Map(),
    cityOnlyStudentCodes: new Set(),
  };
  if (options.district) {
    const { unknownEvery, differEvery, cityOnly, ...generate } = options.district;
    const dir = await mkdtemp(join(tmpdir(), 'edubridge-city-'));
    try {
      await generateDistrict({ streams: CITY_FILES, ...generate, outDir: dir });
      records = await readDistrict(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    seed = rosterFromRecords([...records.values()].flat(), {
      ...(unknownEvery === undefined ? {} : { unknownEvery }),
      ...(differEvery === undefined ? {} : { differEvery }),
      ...(cityOnly === undefined ? {} : { cityOnly }),
    });
  }
  const ports = options.ports ?? {};
  const at = (port: number | undefined) => ({
    ...(options.host ? { host: options.host } : {}),
    ...(port ? { port } : {}),
  });
  const city = await startCityEduDb({
    roster: seed.roster,
    ...(options.cityFaults ? { faults: options.cityFaults } : {}),
    ...at(ports.city),
  });
  const ssc = options.ssc
    ? await startSsc({
        ...at(ports.ssc),
        ...(options.ssc === true ? {} : options.ssc),
        ...(options.sscFaults ? { faults: options.sscFaults } : {}),
      })
    : undefined;
  const credentials = SANDBOX_CREDENTIALS[personality];
  const common = {
    ...at(ports.gateway),
    routes: { [CITY_EDUDB_SERVICE]: city.upstreamUrl, ...(ssc ? { [SSC_SERVICE]: ssc.upstreamUrl } : {}) },
    ...(options.gatewayFaults ? { faults: options.gatewayFaults } : {}),
    ...(options.tokenTtlSeconds ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
  };
  const gateway = await startSandboxGateway(personality, common);
  const gatewayClientOptions = (target = 'city-edudb') =>
    sandboxGatewayClientOptions(gateway.url, personality, target, '000.20.00.H29');
  let c06: C06Side | undefined;
  if (options.c06) {
    const population = populationFromRecords(
      [...records.values()].flat(),
      options.c06 === true ? {} : options.c06,
    );
    const sandbox = await startC06Sandbox({ population: population.citizens, ...at(ports.c06) });
    const c06Gateway = await startSandboxGateway('xroad', {
      routes: { c06: sandbox.url },
      ...at(ports.c06Gateway),
    });
    c06 = {
      sandbox,
      gateway: c06Gateway,
      population,
      gatewayClientOptions: () => sandboxGatewayClientOptions(c06Gateway.url, 'xroad', 'c06', ''),
    };
  }

  return {
    personality,
    gatewayUrl: gateway.url,
    service: CITY_EDUDB_SERVICE,
    credentials,
    gateway,
    city,
    ...(ssc ? { ssc } : {}),
    ...(c06 ? { c06 } : {}),
    records,
    unknownStudentCodes: seed.unknownStudentCodes,
    differingStudents: seed.differingStudents,
    cityOnlyStudentCodes: seed.cityOnlyStudentCodes,
    gatewayClientOptions,
    close: async () => {
      await gateway.close();
      await city.close();
      await ssc?.close();
      await c06?.gateway.close();
      await c06?.sandbox.close();
    },
  };
}
