import type { ConformanceSuite } from '../../src/sdk/conformance/index.ts';
/**
 * The conformance suite of the REST adapter: sandbox school systems on loopback (a small one, one
 * with records that cannot be mapped, and a large one), and the configs the kit needs.
 *
 * @example
 * const { suite, close } = await restSuite();
 * try { await runConformance(adapter, suite); } finally { await close(); }
 */

import { type RestSchool, startRestSchool } from '../../sandbox/vendors/rest-school/index.ts';

export type { ConformanceSuite } from '../../src/sdk/conformance/index.ts';

const API_KEY = 'conformance-api-key';
const SMALL = { seed: 11, schools: 1, classesPerGrade: 2, classSize: 20 };
const LARGE_SCHOOLS = 16; // about 21,000 students

const configFor = (school: RestSchool, extra: Record<string, unknown> = {}) => ({
  baseUrl: school.url,
  profile: 'sandbox-school',
  auth: { type: 'apiKey', key: API_KEY },
  retry: { maxAttempts: 4, backoffMs: 20, maxRetryAfterMs: 5_000 },
  ...extra,
});

export async function restSuite(): Promise<{ suite: ConformanceSuite; close(): Promise<void> }> {
  const auth = { type: 'apiKey', key: API_KEY } as const;
  const started: RestSchool[] = [];
  try {
    const main = await startRestSchool({ ...SMALL, auth });
    started.push(main);
    const broken = await startRestSchool({
      ...SMALL,
      auth,
      corrupt: [
        { kind: 'students', index: 3, set: { ngaySinh: '31/02/2013' } },
        { kind: 'students', index: 40, set: { gioiTinh: 'X' } },
        { kind: 'students', index: 41, set: { hoTen: null } },
        { kind: 'teachers', index: 2, set: { trangThai: 'Đi biệt phái' } },
        { kind: 'feeNotices', index: 2, set: { trangThai: 'Đã chuyển khoản' } },
        { kind: 'feeNotices', index: 5, set: { hanNop: '30/02/2026' } },
      ],
    });
    started.push(broken);
    const large = await startRestSchool({ seed: 12, schools: LARGE_SCHOOLS, auth });
    started.push(large);

    const students = main.state.data.students;
    const ids = students.idList();
    const updated = [ids[3]!, ids[50]!, ids[100]!];
    const deleted = [ids[7]!, ids[120]!];
    const key = (id: string) => `rest-sandbox-school:student-${id}`;
    let mutated = false;
    const config = configFor(main);
    // Two open notices paid through SSC, and a payment for a notice the school never issued.
    const notices = main.state.data.feeNotices
      .idList()
      .map((id) => main.state.data.feeNotices.get(id)!)
      .filter((n) => n.trangThai === 'Chưa thu')
      .slice(0, 2);
    const payment = (
      id: string,
      notice: { soPhieu: string; maTruong: string; maHocSinh: string; tongTien: number },
    ) => ({
      type: 'payment',
      key: `ssc:${id}`,
      source: { adapter: 'ssc', schoolCode: notice.maTruong, pulledAt: '2026-11-20T03:00:00.000Z' },
      schoolCode: notice.maTruong,
      paymentId: id,
      receivableNo: notice.soPhieu,
      studentCode: notice.maHocSinh,
      amount: notice.tongTien,
      channel: 'bank_transfer',
      paidAt: '2026-11-19T08:15:00+07:00',
      fee: 7_500,
    });

    const suite: ConformanceSuite = {
      config,
      invalidConfig: { baseUrl: 'not a url', profile: 'sandbox-school', auth: { type: 'apiKey' } },
      refusedConfig: configFor(main, { auth: { type: 'apiKey', key: 'a-key-the-school-never-issued' } }),
      streams: ['students', 'teachers', 'classes', 'enrollments', 'fees'],
      incremental: {
        stream: 'students',
        before: config,
        after: config,
        async mutate() {
          if (mutated) return;
          mutated = true;
          main.state.mutate({ students: { update: updated, delete: deleted } });
        },
        changed: updated.map(key),
        deleted: deleted.map(key),
      },
      references: [
        {
          name: 'students: impossible birth date, unknown gender, missing name',
          config: configFor(broken),
          stream: 'students',
          expect: {
            records: broken.state.data.students.size - 3,
            rejected: [
              { code: 'DATE_UNPARSEABLE', field: 'birthDate', location: '/api/v1/hoc-sinh page 1 item 4' },
              { code: 'CODE_UNKNOWN', field: 'gender', location: '/api/v1/hoc-sinh page 1 item 41' },
              { code: 'FIELD_MISSING', field: 'fullName', location: '/api/v1/hoc-sinh page 1 item 42' },
            ],
          },
        },
        {
          name: 'teachers: a status label not in the code list',
          config: configFor(broken),
          stream: 'teachers',
          expect: {
            records: broken.state.data.teachers.size - 1,
            rejected: [
              { code: 'CODE_UNKNOWN', field: 'status', location: '/api/v1/giao-vien page 1 item 3' },
            ],
          },
        },
        {
          name: 'fees: a notice status not in the code list, an impossible due date',
          config: configFor(broken),
          stream: 'fees',
          expect: {
            records: broken.state.data.feeItems.size + broken.state.data.feeNotices.size - 2,
            rejected: [
              { code: 'CODE_UNKNOWN', field: 'status', location: '/api/v1/phieu-bao-thu page 1 item 3' },
              { code: 'DATE_UNPARSEABLE', field: 'dueDate', location: '/api/v1/phieu-bao-thu page 1 item 6' },
            ],
          },
        },
      ],
      write: {
        stream: 'payments',
        records: [
          payment('GD-CONF-1', notices[0]!),
          payment('GD-CONF-2', notices[1]!),
          payment('GD-CONF-3', { ...notices[0]!, soPhieu: 'PHIEU-KHONG-CO' }),
        ],
        expect: { 'ssc:GD-CONF-1': 'written', 'ssc:GD-CONF-2': 'written', 'ssc:GD-CONF-3': 'refused' },
        held: () => main.state.payments.size,
      },
      large: {
        config: configFor(large, { pageSize: 1000 }),
        stream: 'students',
        minRecords: large.state.data.students.size,
        maxHeapGrowthMiB: 64,
      },
    };
    return { suite, close: async () => void (await Promise.all(started.map((s) => s.close()))) };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}

export default restSuite;
