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

describe('runConformance on write-back', () => {
  const payment = (id: string) => ({
    type: 'payment' as const,
    key: `ssc:${id}`,
    source: { adapter: 'ssc', schoolCode: '79NB0001', pulledAt: '2026-11-20T03:00:00.000Z' },
    schoolCode: '79NB0001',
    paymentId: id,
    receivableNo: '79NB0001-2526-HK1-00001',
    studentCode: 'HS1',
    amount: 1_250_000,
    channel: 'bank_transfer' as const,
    paidAt: '2026-11-19T08:15:00+07:00',
  });

  /** A fee book that knows one notice: a repeat is written again, an unknown notice refused. */
  function writingAdapter(overrides: Partial<Adapter> = {}): { adapter: Adapter; held: Set<string> } {
    const held = new Set<string>();
    const adapter = {
      ...mockAdapter(),
      writes: ['payments'],
      async write(_ctx: unknown, _stream: string, records: ReturnType<typeof payment>[]) {
        return {
          results: records.map((r) => {
            if (r.receivableNo !== '79NB0001-2526-HK1-00001') {
              return {
                key: r.key,
                status: 'refused' as const,
                code: 'NOTICE_UNKNOWN',
                message: 'no such notice',
              };
            }
            held.add(r.paymentId);
            return { key: r.key, status: 'written' as const };
          }),
        };
      },
      ...overrides,
    } as Adapter;
    return { adapter, held };
  }

  const writeCase = (held: Set<string>) => ({
    write: {
      stream: 'payments' as const,
      records: [payment('GD1'), payment('GD2'), { ...payment('GD3'), receivableNo: 'NO-SUCH-NOTICE' }],
      expect: { 'ssc:GD1': 'written', 'ssc:GD2': 'written', 'ssc:GD3': 'refused' } as const,
      held: () => held.size,
    },
  });

  it('passes an adapter whose write answers every record, and a repeat the same', async () => {
    const { adapter, held } = writingAdapter();
    const report = await runConformance(adapter, { ...suite, ...writeCase(held) });
    expect(report.checks.find((c) => c.id === 'writes')).toMatchObject({
      status: 'passed',
      detail: '2 written, 1 refused; repeated: 2 written',
    });
    expect([...held].sort()).toEqual(['GD1', 'GD2']);
  });

  it('passes an adapter that writes nothing, without a write case', async () => {
    expect((await statusOf(mockAdapter())).writes).toBe('passed');
  });

  it('fails an adapter that declares writes but has no write function', async () => {
    const { write: _none, ...adapter } = writingAdapter().adapter;
    const report = await runConformance(adapter as Adapter, { ...suite, ...writeCase(new Set()) });
    expect(report.checks.find((c) => c.id === 'writes')).toMatchObject({
      status: 'failed',
      detail: 'declares writes (payments) but has no write function',
    });
  });

  it('fails a write that leaves a record unanswered', async () => {
    const { adapter, held } = writingAdapter();
    const partial = {
      ...adapter,
      async write(ctx: never, stream: never, records: ReturnType<typeof payment>[]) {
        const all = await adapter.write!(ctx, stream, records);
        return { results: all.results.slice(1) };
      },
    } as Adapter;
    const report = await runConformance(partial, { ...suite, ...writeCase(held) });
    expect(report.checks.find((c) => c.id === 'writes')).toMatchObject({
      status: 'failed',
      detail: 'first write: no result for 1 record(s) (e.g. ssc:GD1)',
    });
  });

  it('fails a write whose repeat adds the record again', async () => {
    let writes = 0;
    const { adapter } = writingAdapter();
    const duplicating = {
      ...adapter,
      async write(ctx: never, stream: never, records: ReturnType<typeof payment>[]) {
        writes += records.length;
        return adapter.write!(ctx, stream, records);
      },
    } as Adapter;
    const status = await statusOf(duplicating, {
      ...writeCase(new Set()),
      write: { ...writeCase(new Set()).write, held: () => writes },
    });
    expect(status.writes).toBe('failed');
  });

  it('skips the write case an adapter that writes was given none of', async () => {
    expect((await statusOf(writingAdapter().adapter)).writes).toBe('skipped');
  });
});

describe('defineAdapter and writes', () => {
  const base = () => {
    const { kind: _kind, ...definition } = mockAdapter();
    return definition;
  };

  it('accepts writes with a write function', () => {
    const adapter = defineAdapter({
      ...base(),
      writes: ['payments'],
      write: async () => ({ results: [] }),
    } as never);
    expect((adapter as Adapter).writes).toEqual(['payments']);
  });

  it('refuses writes without a write function, naming the adapter', () => {
    expect(() => defineAdapter({ ...base(), writes: ['payments'] } as never)).toThrow(
      'adapter mock: declares writes (payments) but has no write function',
    );
  });

  it('refuses a write function with no writes declared', () => {
    expect(() => defineAdapter({ ...base(), write: async () => ({ results: [] }) } as never)).toThrow(
      'adapter mock: has a write function but declares no "writes"',
    );
  });

  it('refuses a stream the hub does not write back', () => {
    expect(() =>
      defineAdapter({ ...base(), writes: ['students'], write: async () => ({ results: [] }) } as never),
    ).toThrow('adapter mock: cannot write stream "students"; writable streams are payments');
  });
});
