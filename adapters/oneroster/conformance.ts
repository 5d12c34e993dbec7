import type { ConformanceSuite } from '../../src/sdk/conformance/index.ts';
/**
 * The conformance suite of the OneRoster adapter: starts three sandbox providers (a small district,
 * one with known broken records, a large one without gradebook) and says what the kit should
 * expect of each.
 *
 *   edubridge adapter test adapters/oneroster --config adapters/oneroster/conformance.ts
 */

import { startOneRosterProvider } from '../../sandbox/vendors/oneroster/index.ts';
import { sandboxConfig } from './testing.ts';

export type { ConformanceSuite } from '../../src/sdk/conformance/index.ts';

const key = (kind: string, id: string) => `oneroster-sandbox:${kind}-${id}`;

/**
 * Starts the providers and returns the suite; `close()` stops them.
 *
 * @example
 * const { suite, close } = await oneRosterSuite();
 * try { await runConformance(adapter, suite); } finally { await close(); }
 */
export async function oneRosterSuite(): Promise<{ suite: ConformanceSuite; close(): Promise<void> }> {
  const [main, reference, large] = await Promise.all([
    startOneRosterProvider({ schools: 1, seed: 1, classSize: 10 }),
    startOneRosterProvider({ schools: 1, seed: 5, classSize: 6, referenceDefects: true }),
    // Two schools of 8 classes a grade, about 2,700 students.
    startOneRosterProvider({ schools: 2, seed: 9, classesPerGrade: 8, classSize: 42, gradebook: false }),
  ]);
  const students = main.data.users.filter((u) => u.roles.some((r) => r.role === 'student'));
  const changed = [students[3]!.sourcedId, students[17]!.sourcedId];
  const deleted = [students[9]!.sourcedId];
  const referenceConfig = sandboxConfig(reference);
  const referenceCase = (stream: 'students' | 'assessments') => {
    const defects = reference.referenceDefects.filter((d) => d.stream === stream);
    const total =
      stream === 'students' ? reference.source.students.length : reference.source.assessments.length;
    return {
      name: `sandbox ${stream} with known broken records`,
      config: referenceConfig,
      stream,
      expect: {
        records: total - defects.reduce((n, d) => n + d.recordsLost, 0),
        rejected: defects.map((d) => ({
          code: d.code,
          location: d.location,
          ...(d.field ? { field: d.field } : {}),
        })),
      },
    };
  };
  const suite: ConformanceSuite = {
    config: sandboxConfig(main),
    invalidConfig: { baseUrl: 'not a url', tokenUrl: main.tokenUrl, system: 'Sandbox!' },
    refusedConfig: sandboxConfig(main, { clientSecret: 'not-the-sandbox-secret' }),
    streams: ['schools', 'students', 'teachers', 'classes', 'enrollments', 'assessments'],
    incremental: {
      stream: 'students',
      mutate: async () => {
        main.mutate({ change: changed, delete: deleted });
      },
      changed: changed.map((id) => key('student', id)),
      deleted: deleted.map((id) => key('student', id)),
    },
    references: [referenceCase('students'), referenceCase('assessments')],
    large: { config: sandboxConfig(large), stream: 'students', minRecords: 2500, maxHeapGrowthMiB: 32 },
  };
  return {
    suite,
    close: async () => {
      await Promise.all([main.close(), reference.close(), large.close()]);
    },
  };
}

export default oneRosterSuite;
