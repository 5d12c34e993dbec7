/**
 * The conformance suite of the SOAP adapter: sandbox SOAP services on loopback (a small one, one
 * with records that cannot be mapped, and a larger one) and the configs the kit needs.
 */
import { type SoapSchool, startSoapSchool } from '../../sandbox/vendors/soap-school/index.ts';
import type { ConformanceSuite } from '../rest/conformance.ts';

export type { ConformanceSuite } from '../rest/conformance.ts';

const AUTH = { type: 'basic', username: 'conformance', password: 'conformance-password' } as const;
const SMALL = { seed: 21, schools: 2, classesPerGrade: 1, classSize: 15 };

const configFor = (service: SoapSchool, extra: Record<string, unknown> = {}) => ({
  wsdlUrl: service.wsdlUrl,
  profile: 'sandbox-soap',
  auth: AUTH,
  retry: { maxAttempts: 4, backoffMs: 20, maxRetryAfterMs: 5_000 },
  ...extra,
});

export async function soapSuite(): Promise<{ suite: ConformanceSuite; close(): Promise<void> }> {
  const started: SoapSchool[] = [];
  try {
    const main = await startSoapSchool({ ...SMALL, auth: AUTH });
    started.push(main);
    const broken = await startSoapSchool({
      ...SMALL,
      auth: AUTH,
      corrupt: [
        { kind: 'students', index: 2, set: { ngaySinh: '2013-13-01' } },
        { kind: 'teachers', index: 1, set: { gioiTinh: 'Khác' } },
      ],
    });
    started.push(broken);
    const large = await startSoapSchool({ seed: 22, schools: 4, auth: AUTH });
    started.push(large);

    const teachers = main.state.data.teachers.idList();
    const updated = [teachers[1]!, teachers[6]!];
    const deleted = [teachers[4]!];
    const key = (id: string) => `soap-sandbox-soap:teacher-${id}`;
    let mutated = false;
    const config = configFor(main);
    const firstSchool = broken.state.data.schools[0]!.maTruong;

    const suite: ConformanceSuite = {
      config,
      invalidConfig: { wsdlUrl: 'nowhere', profile: 'sandbox-soap', auth: { type: 'basic', username: 'x' } },
      refusedConfig: configFor(main, { auth: { ...AUTH, password: 'not-the-password' } }),
      streams: ['students', 'teachers', 'classes', 'enrollments'],
      incremental: {
        stream: 'teachers',
        before: config,
        after: config,
        async mutate() {
          if (mutated) return;
          mutated = true;
          main.state.mutate({ teachers: { update: updated, delete: deleted } });
        },
        changed: updated.map(key),
        deleted: deleted.map(key),
      },
      references: [
        {
          name: 'students: a month 13',
          config: configFor(broken),
          stream: 'students',
          expect: {
            records: broken.state.data.students.size - 1,
            rejected: [
              {
                code: 'DATE_UNPARSEABLE',
                field: 'birthDate',
                location: `LayDanhSachHocSinh school ${firstSchool} page 1 item 3`,
              },
            ],
          },
        },
        {
          name: 'teachers (XML in a string): an unknown gender',
          config: configFor(broken),
          stream: 'teachers',
          expect: {
            records: broken.state.data.teachers.size - 1,
            rejected: [
              {
                code: 'CODE_UNKNOWN',
                field: 'gender',
                location: `LayDanhSachGiaoVien school ${firstSchool} page 1 item 2`,
              },
            ],
          },
        },
      ],
      large: {
        config: configFor(large, { pageSize: 1000 }),
        stream: 'students',
        minRecords: large.state.data.students.size,
        maxHeapGrowthMiB: 96,
      },
    };
    return { suite, close: async () => void (await Promise.all(started.map((s) => s.close()))) };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}

export default soapSuite;
