/**
 * The outside systems of a scenario, in the suite's own process: the REST school system serving a
 * generated district, and the city Education DB behind the LGSP gateway, whose roster is seeded
 * from the same district with every `unknownEvery`-th student left out (those go to its review
 * list). The hub's processes reach them through their settings only, as they would the real ones.
 */
import { writeFile } from 'node:fs/promises';
import {
  CITY_EDUDB_SERVICE,
  type CityEduDb,
  type CityFaultPlan,
  rosterFromRecords,
  SANDBOX_CREDENTIALS,
  startCityEduDb,
  startSandboxGateway,
} from '../../sandbox/city-edudb/index.ts';
import type { LgspGateway } from '../../sandbox/lgsp/index.ts';
import { type RestSchool, startRestSchool } from '../../sandbox/vendors/rest-school/index.ts';
import { sandboxSchoolProfile } from '../../sandbox/vendors/rest-school/profile.ts';
import { districtDir, readStream } from '../../sandbox/vendors/shared/district.ts';
import type { FaultPlan } from '../../sandbox/vendors/shared/faults.ts';
import type { CanonicalRecord } from '../../src/model/index.ts';

export interface District {
  seed: number;
  schools: number;
  classesPerGrade: number;
  classSize: number;
}

const VENDOR_KEY = 'faults-suite-key';

/** What the city should hold for one school once its students are synced. */
export interface SchoolExpectation {
  /** Students the school system serves. */
  students: number;
  /** Student codes the city knows: each must be held once. */
  known: Set<string>;
  /** Student codes the city does not know: each must land on its review list. */
  unknown: Set<string>;
}

export async function startSchool(district: District, faults: FaultPlan = {}): Promise<RestSchool> {
  return startRestSchool({
    ...district,
    auth: { type: 'apiKey', key: VENDOR_KEY },
    // Nobody reads fees here, and they cost start-up time on a large district.
    fees: false,
    faults,
  });
}

/** The sources file every hub process of a scenario reads: the `rest` adapter for each school. */
export async function writeSources(
  file: string,
  school: RestSchool,
  codes: readonly string[],
  pageSize: number,
): Promise<void> {
  const sources = Object.fromEntries(
    codes.map((code) => [
      code,
      {
        adapter: 'rest',
        config: {
          baseUrl: school.url,
          // Narrowed to the school (`maTruong`): a run of one school reads that school only.
          profile: sandboxSchoolProfile(code),
          auth: { type: 'apiKey', key: VENDOR_KEY },
          pageSize,
        },
      },
    ]),
  );
  await writeFile(file, `${JSON.stringify(sources, null, 2)}\n`);
}

export interface City {
  city: CityEduDb;
  gateway: LgspGateway;
  /** The settings that point a hub process at this city. */
  env: Record<string, string>;
  /** By school code. */
  expected: Map<string, SchoolExpectation>;
  close(): Promise<void>;
}

/**
 * The city Education DB and its gateway, the roster seeded from the district the school serves
 * (read from the generator's cache the school loaded, not generated a second time with every
 * stream as `startCitySandbox` does: a 100,000-student district would take minutes).
 */
export async function startCity(
  district: District,
  unknownEvery: number,
  faults: CityFaultPlan = {},
): Promise<City> {
  const dir = await districtDir(district);
  const records: CanonicalRecord[] = [];
  const students = new Map<string, { schoolCode: string; studentCode: string }>();
  for (const stream of ['classes', 'teachers', 'students'] as const) {
    for await (const r of readStream<CanonicalRecord>(dir, stream)) {
      records.push(r);
      if (r.type === 'student')
        students.set(r.studentCode, { schoolCode: r.schoolCode, studentCode: r.studentCode });
    }
  }
  const seed = rosterFromRecords(records, { unknownEvery });
  const city = await startCityEduDb({ roster: seed.roster, faults });
  const gateway = await startSandboxGateway('wso2', { routes: { [CITY_EDUDB_SERVICE]: city.upstreamUrl } });
  const expected = new Map<string, SchoolExpectation>();
  for (const s of students.values()) {
    let e = expected.get(s.schoolCode);
    if (!e) {
      e = { students: 0, known: new Set(), unknown: new Set() };
      expected.set(s.schoolCode, e);
    }
    e.students++;
    (seed.unknownStudentCodes.has(s.studentCode) ? e.unknown : e.known).add(s.studentCode);
  }
  return {
    city,
    gateway,
    env: {
      CITY_EDUDB_GATEWAY: 'wso2',
      CITY_EDUDB_GATEWAY_URL: gateway.url,
      CITY_EDUDB_CONSUMER_KEY: SANDBOX_CREDENTIALS.wso2.consumerKey,
      CITY_EDUDB_CONSUMER_SECRET: SANDBOX_CREDENTIALS.wso2.consumerSecret,
    },
    expected,
    close: async () => {
      await gateway.close();
      await city.close();
    },
  };
}
