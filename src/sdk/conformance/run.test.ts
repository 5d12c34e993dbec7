/**
 * The kit must fail adapters that break the contract, each on the check that names the breach:
 * a kit that passes everything would be worse than none.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Adapter, defineAdapter, type ReadContext, type ReadItem } from '../adapter.ts';
import { secret } from '../config.ts';
import { PermanentError, RecordError } from '../errors.ts';
import { recordSource } from '../records.ts';
import { runConformance } from './run.ts';

const configSchema = z.object({ token: secret(z.string().min(4)), rows: z.int().default(3) });

function student(i: number, key = `mock:student-${i}`) {
  return {
    type: 'student' as const,
    key,
    source: recordSource({ id: 'mock', version: '1.0.0' }, '79NB0001', new Date('2026-11-01T00:00:00Z')),
    schoolCode: '79NB0001',
    studentCode: `HS${i}`,
    fullName: 'Nguyễn Minh Khôi',
    birthDate: '2013-04-02',
    gender: 'male' as const,
    guardians: [{ relationship: 'mother' as const, fullName: 'Trần Thị Lan' }],
  };
}

type Overrides = Partial<Pick<Adapter, 'check' | 'read'>>;

function mockAdapter(overrides: Overrides = {}): Adapter {
  return defineAdapter({
    id: 'mock',
    name: 'Mock',
    version: '1.0.0',
    configSchema,
    streams: { students: { primaryKey: ['key'], incremental: true, reportsDeletions: true } },
    async check(config: z.output<typeof configSchema>) {
      return config.token === 'good-token'
        ? { ok: true }
        : { ok: false, problems: [{ code: 'AUTH_REFUSED', message: 'Sai mã / Wrong token' }] };
    },
    async discover() {
      return { streams: [{ name: 'students', count: 3 }] };
    },
    async *read(_stream: string, ctx: ReadContext<z.output<typeof configSchema>>) {
      const since = typeof ctx.checkpoint === 'number' ? ctx.checkpoint : -1;
      for (let i = since + 1; i < ctx.config.rows; i++) {
        ctx.signal.throwIfAborted();
        yield student(i);
      }
      yield ctx.checkpointAt(ctx.config.rows - 1);
    },
    ...overrides,
  } as never) as Adapter;
}

const suite = { config: { token: 'good-token' }, refusedConfig: { token: 'bad-token' } };
const statusOf = async (adapter: Adapter, extra = {}) => {
  const report = await runConformance(adapter, { ...suite, ...extra });
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
};

describe('runConformance', () => {
  it('passes an adapter that keeps the contract', async () => {
    const report = await runConformance(mockAdapter(), {
      ...suite,
      incremental: { stream: 'students', changed: [], deleted: [] },
      large: { config: { token: 'good-token', rows: 50_000 }, stream: 'students', minRecords: 50_000 },
    });
    expect(report.checks.filter((c) => c.status !== 'passed')).toEqual([
      expect.objectContaining({ id: 'references', status: 'skipped' }),
    ]);
  });

  it('fails check-refused when check() throws instead of reporting', async () => {
    const adapter = mockAdapter({
      async check() {
        throw new PermanentError('AUTH_REFUSED', 'no');
      },
    });
    expect((await statusOf(adapter))['check-refused']).toBe('failed');
  });

  it('fails secrets when a message echoes a secret', async () => {
    const adapter = mockAdapter({
      async check(config) {
        return {
          ok: false,
          problems: [
            { code: 'AUTH_REFUSED', message: `token ${(config as { token: string }).token} refused` },
          ],
        };
      },
    });
    expect((await statusOf(adapter)).secrets).toBe('failed');
  });

  it('fails records-parse on a record that breaks the canonical schema', async () => {
    const adapter = mockAdapter({
      async *read() {
        yield { ...student(1), birthDate: '02/04/2013' } as unknown as ReadItem;
      },
    });
    expect((await statusOf(adapter))['records-parse']).toBe('failed');
  });

  it('fails keys-stable when keys change between reads', async () => {
    let n = 0;
    const adapter = mockAdapter({
      async *read() {
        n++;
        yield student(1, `mock:student-${n}`);
      },
    });
    expect((await statusOf(adapter))['keys-stable']).toBe('failed');
  });

  it('fails incremental when a delta read returns everything again', async () => {
    const adapter = mockAdapter({
      async *read(_s, ctx) {
        for (let i = 0; i < 3; i++) yield student(i);
        yield ctx.checkpointAt(2);
      },
    });
    const status = await statusOf(adapter, { incremental: { stream: 'students', changed: [], deleted: [] } });
    expect(status.incremental).toBe('failed');
  });

  it('fails incremental when a deletion is not reported', async () => {
    const status = await statusOf(mockAdapter(), {
      incremental: { stream: 'students', changed: [], deleted: ['mock:student-1'] },
    });
    expect(status.incremental).toBe('failed');
  });

  it('fails abort when the read ignores the signal', async () => {
    const adapter = mockAdapter({
      async *read() {
        for (let i = 0; ; i++) {
          await new Promise((r) => setTimeout(r, 1));
          yield student(i % 10);
        }
      },
    });
    const report = await runConformance(adapter, { ...suite, abortWithinMs: 200, maxRecords: 500 });
    expect(report.checks.find((c) => c.id === 'abort')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('still yielding'),
    });
  }, 20_000);

  it('fails memory when the read keeps what it yields', async () => {
    const kept: unknown[] = [];
    const adapter = mockAdapter({
      async *read(_s: string, ctx: ReadContext<z.output<typeof configSchema>>) {
        for (let i = 0; i < ctx.config.rows; i++) {
          const s = { ...student(i), padding: 'x'.repeat(2000) + i };
          kept.push(s);
          yield s as unknown as ReadItem;
        }
      },
    });
    const report = await runConformance(adapter, {
      ...suite,
      large: {
        config: { token: 'good-token', rows: 40_000 },
        stream: 'students',
        minRecords: 40_000,
        maxHeapGrowthMiB: 32,
      },
    });
    expect(report.checks.find((c) => c.id === 'memory')?.status).toBe('failed');
    kept.length = 0;
  }, 30_000);

  it('fails errors-sdk when the adapter throws a plain error', async () => {
    const adapter = mockAdapter({
      // biome-ignore lint/correctness/useYield: the point is a read that throws before yielding
      async *read() {
        throw new TypeError('cannot read property of undefined');
      },
    });
    const status = await statusOf(adapter);
    expect(status['errors-sdk']).toBe('failed');
    expect(status['records-parse']).toBe('failed');
  });

  it('checks reference inputs against their exact expected problems', async () => {
    const adapter = mockAdapter({
      async *read(_s, ctx) {
        yield student(1);
        yield ctx.rejected(
          new RecordError('DATE_UNPARSEABLE', 'bad date', { location: 'Sheet1 row 7', field: 'birthDate' }),
        );
      },
    });
    const pass = await statusOf(adapter, {
      references: [
        {
          name: 'r',
          config: suite.config,
          stream: 'students',
          expect: { records: 1, rejected: [{ code: 'DATE_UNPARSEABLE', location: 'row 7' }] },
        },
      ],
    });
    expect(pass.references).toBe('passed');
    const failOn = await statusOf(adapter, {
      references: [{ name: 'r', config: suite.config, stream: 'students', expect: { rejected: [] } }],
    });
    expect(failOn.references).toBe('failed');
  });

  it('fails config-rejects-bad when the schema accepts anything', async () => {
    const adapter = defineAdapter({
      ...mockAdapter(),
      configSchema: z.object({}).passthrough(),
    } as never) as Adapter;
    expect((await statusOf(adapter))['config-rejects-bad']).toBe('failed');
  });
});
