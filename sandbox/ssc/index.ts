/**
 * SSC for tests and the demo: the SSC simulator behind the LGSP gateway simulator, published as
 * service `ssc`, with optional generated fee records and a collection account and seller profile
 * for every generated school.
 *
 * To put SSC behind an LGSP simulator that already routes other services, register
 * `{ [SSC_SERVICE]: ssc.upstreamUrl }` among its routes.
 *
 * @example
 * const sandbox = await startSscSandbox({ personality: 'wso2', district: { schools: 1, seed: 7 } });
 * const target = createSscTarget({
 *   gateway: createGatewayClient(sandbox.gatewayClientOptions()),
 *   collectionAccounts: sandbox.collectionAccounts,
 * });
 * // … push the fees stream, then sandbox.ssc.payNotices({ share: 0.5, seed: 1 }) and read the payments
 * await sandbox.close();
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollectionAccount } from '../../mappings/ssc/v1/index.ts';
import type { CanonicalRecord, School } from '../../src/model/index.ts';
import { readDistrict, sandboxGatewayClientOptions, startSandboxGateway } from '../city-edudb/index.ts';
import { type GenerateOptions, generateDistrict, type RecordStreamName } from '../generator/index.ts';
import { hash32 } from '../generator/random.ts';
import type { LgspFaultPlan, LgspGateway, LgspPersonality } from '../lgsp/index.ts';
import {
  SSC_SERVICE,
  type Ssc,
  type SscFaultPlan,
  type SscOptions,
  type SscSchoolProfile,
  startSsc,
} from './server.ts';

export * from './server.ts';

/** Generator streams SSC cares about. */
export const SSC_FILES: RecordStreamName[] = ['schools', 'fees', 'payments', 'invoices'];

/** A made-up but well-formed collection account for a school (BIN 970436, 13 digits). */
export function sandboxCollectionAccount(schoolCode: string): CollectionAccount {
  const h = hash32(...[...schoolCode].map((c) => c.codePointAt(0)!));
  return { bankBin: '970436', account: `0071${String(h % 1_000_000_000).padStart(9, '0')}` };
}

/** The seller on a school's receipts: its generated name and address, a made-up tax code. */
export function sandboxSchoolProfile(school: Pick<School, 'schoolCode' | 'name'> & { address?: string }) {
  const h = hash32(...[...school.schoolCode].map((c) => c.codePointAt(0)!), 7);
  const profile: SscSchoolProfile = {
    name: `Trường ${school.name}`,
    taxCode: `03${String(h % 100_000_000).padStart(8, '0')}`,
    address: school.address ?? 'TP. Hồ Chí Minh',
  };
  return profile;
}

export interface SscSandboxOptions {
  personality?: LgspPersonality;
  /** Generate a district whose fee records the test pushes; omitted = no records. */
  district?: Omit<GenerateOptions, 'outDir' | 'streams'>;
  gatewayFaults?: LgspFaultPlan;
  sscFaults?: SscFaultPlan;
  tokenTtlSeconds?: number;
  /** Passed to the simulator (seller profiles are filled in for generated schools). */
  ssc?: Omit<SscOptions, 'faults'>;
}

export interface SscSandbox {
  personality: LgspPersonality;
  gatewayUrl: string;
  service: string;
  gateway: LgspGateway;
  ssc: Ssc;
  /** The generated district's records per generator stream (empty without `district`). */
  records: Map<RecordStreamName, CanonicalRecord[]>;
  /** A collection account for every generated school, as SSC_COLLECTION_ACCOUNTS would hold them. */
  collectionAccounts: Record<string, CollectionAccount>;
  /** Options for `createGatewayClient` that reach this sandbox (typed loosely: sandbox ≠ hub). */
  gatewayClientOptions(target?: string): Record<string, unknown> & {
    personality: LgspPersonality;
    baseUrl: string;
    target: string;
  };
  close(): Promise<void>;
}

/** Starts the SSC simulator and an LGSP gateway simulator routing service `ssc` to it. */
export async function startSscSandbox(options: SscSandboxOptions = {}): Promise<SscSandbox> {
  const personality = options.personality ?? 'wso2';
  let records = new Map<RecordStreamName, CanonicalRecord[]>();
  if (options.district) {
    const dir = await mkdtemp(join(tmpdir(), 'edubridge-ssc-'));
    try {
      await generateDistrict({ ...options.district, streams: SSC_FILES, outDir: dir });
      records = await readDistrict(dir, SSC_FILES);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const schools = (records.get('schools') ?? []).filter((r): r is School => r.type === 'school');
  const collectionAccounts = Object.fromEntries(
    schools.map((s) => [s.schoolCode, sandboxCollectionAccount(s.schoolCode)]),
  );
  const profiles = Object.fromEntries(schools.map((s) => [s.schoolCode, sandboxSchoolProfile(s)]));
  const ssc = await startSsc({
    ...options.ssc,
    schools: { ...profiles, ...options.ssc?.schools },
    ...(options.sscFaults ? { faults: options.sscFaults } : {}),
  });
  const common = {
    routes: { [SSC_SERVICE]: ssc.upstreamUrl },
    ...(options.gatewayFaults ? { faults: options.gatewayFaults } : {}),
    ...(options.tokenTtlSeconds ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
  };
  const gateway = await startSandboxGateway(personality, common);
  const gatewayClientOptions = (target = 'ssc') =>
    sandboxGatewayClientOptions(gateway.url, personality, target, '000.21.00.H29');

  return {
    personality,
    gatewayUrl: gateway.url,
    service: SSC_SERVICE,
    gateway,
    ssc,
    records,
    collectionAccounts,
    gatewayClientOptions,
    close: async () => {
      await gateway.close();
      await ssc.close();
    },
  };
}
