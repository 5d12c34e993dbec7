/**
 * The conformance kit: one suite run against any adapter, so a vendor knows before the first night
 * in production that the adapter keeps the contract. Each check is independent; a failure says what
 * was expected and what happened.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { checkRecord, type RecordType } from '../../model/index.ts';
import {
  type Adapter,
  type BaseContext,
  type Checkpoint,
  isSignal,
  type ReadItem,
  readContext,
  STREAMS,
  type StreamName,
  silentLogger,
  type WriteRecordResult,
  type WriteResult,
  writeDeclarationProblem,
} from '../adapter.ts';
import { parseAdapterConfig, secretValues } from '../config.ts';
import { AdapterError, RecordError } from '../errors.ts';
import type { ConformanceSuite } from './suite.ts';

/** How one check ended (`skipped`: the suite gave nothing to check it with). */
export type CheckStatus = 'passed' | 'failed' | 'skipped';

/** One check of the kit and how it ended. */
export interface CheckOutcome {
  /** Stable id, e.g. `read.abort`. */
  id: string;
  /** What the check asks, for people. */
  title: string;
  /** How it ended. */
  status: CheckStatus;
  /** What was expected and what happened (or why it was skipped). */
  detail: string;
  /** How long it took. */
  ms: number;
}

/** What `runConformance` returns: every check's outcome, and the counts. */
export interface ConformanceReport {
  /** The adapter the kit ran against. */
  adapter: { id: string; name: string; version: string };
  /** Every check, in the order run. */
  checks: CheckOutcome[];
  /** Checks passed. */
  passed: number;
  /** Checks failed: the adapter does not keep the contract when above 0. */
  failed: number;
  /** Checks skipped. */
  skipped: number;
}

class CheckFailure extends Error {}
class Skip extends Error {}

const fail = (detail: string): never => {
  throw new CheckFailure(detail);
};

function gcFunction(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    // Lets the kit measure retained memory, not garbage, in a process started without --expose-gc.
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

interface ReadOutcome {
  records: Array<{ type: string; key: string; item: ReadItem }>;
  deleted: string[];
  rejected: RecordError[];
  lastCheckpoint: Checkpoint | undefined;
  count: number;
}

/** How `runConformance` runs, besides the suite. */
export interface RunOptions {
  /** Reference date for the model's rules (ages, future dates). */
  asOf?: Date;
  /** Called after each check, for progress output. */
  onCheck?: (outcome: CheckOutcome) => void;
}

/**
 * Runs the conformance suite against an adapter and returns the report; never throws for an
 * adapter's failure (that is a failed check).
 *
 * @example
 * ```ts
 * const report = await runConformance(adapter, { config: { baseUrl: 'http://127.0.0.1:4010', apiKey: 'k' } });
 * if (report.failed > 0) process.exitCode = 1;
 * ```
 */
export async function runConformance(
  adapter: Adapter,
  suite: ConformanceSuite,
  options: RunOptions = {},
): Promise<ConformanceReport> {
  const checks: CheckOutcome[] = [];
  const secrets = new Set<string>(
    [suite.config, suite.refusedConfig, ...(suite.references ?? []).map((r) => r.config)].flatMap((c) =>
      c === undefined ? [] : secretValues(adapter.configSchema, c),
    ),
  );
  const foreignErrors: string[] = [];
  const leaks: string[] = [];
  const noteMessage = (where: string, message: string) => {
    for (const s of secrets) if (s.length >= 4 && message.includes(s)) leaks.push(where);
  };
  const noteError = (where: string, error: unknown) => {
    if (error instanceof AdapterError) noteMessage(where, error.message);
    else if (!(error instanceof Error && error.name === 'AbortError')) {
      foreignErrors.push(
        `${where}: ${(error as Error)?.name ?? typeof error}: ${(error as Error)?.message ?? error}`,
      );
    }
  };
  const asOf = options.asOf ?? new Date();
  const maxRecords = suite.maxRecords ?? 5_000_000;
  const base = (signal = new AbortController().signal): BaseContext => ({
    logger: silentLogger,
    signal,
    now: () => new Date(),
  });
  const parse = (config: unknown) => parseAdapterConfig(adapter.configSchema, config, adapter.id);
  const streams = (suite.streams ?? (Object.keys(adapter.streams) as StreamName[])).filter(
    (s) => s in adapter.streams,
  );

  async function read(
    stream: StreamName,
    config: unknown,
    checkpoint?: Checkpoint,
    keep = true,
  ): Promise<ReadOutcome> {
    const outcome: ReadOutcome = {
      records: [],
      deleted: [],
      rejected: [],
      lastCheckpoint: undefined,
      count: 0,
    };
    const ctx = readContext(base(), parse(config), checkpoint);
    try {
      for await (const item of adapter.read(stream, ctx)) {
        if (isSignal(item)) {
          if (item.kind === 'deleted') outcome.deleted.push(...item.keys);
          else if (item.kind === 'checkpoint') outcome.lastCheckpoint = item.checkpoint;
          else if (item.kind === 'rejected') {
            if (!(item.error instanceof RecordError)) {
              foreignErrors.push(`read ${stream}: a rejected item carries no RecordError`);
            } else {
              noteMessage(`rejected in ${stream}`, item.error.message);
              outcome.rejected.push(item.error);
            }
          }
          continue;
        }
        outcome.count++;
        if (outcome.count > maxRecords) {
          fail(`read ${stream} yielded more than ${maxRecords} records: is it endless? (suite.maxRecords)`);
        }
        if (keep) outcome.records.push({ type: item.type, key: item.key, item });
      }
    } catch (error) {
      if (!(error instanceof CheckFailure)) noteError(`read ${stream}`, error);
      throw error;
    }
    return outcome;
  }

  async function check(id: string, title: string, body: () => Promise<string>): Promise<void> {
    const started = performance.now();
    let status: CheckStatus = 'passed';
    let detail: string;
    try {
      detail = await body();
    } catch (error) {
      if (error instanceof Skip) {
        status = 'skipped';
        detail = error.message;
      } else {
        status = 'failed';
        detail =
          error instanceof CheckFailure
            ? error.message
            : `ném lỗi / threw ${(error as Error)?.name}: ${(error as Error)?.message ?? String(error)}`;
      }
    }
    const outcome = { id, title, status, detail, ms: Math.round(performance.now() - started) };
    checks.push(outcome);
    options.onCheck?.(outcome);
  }

  await check(
    'config-rejects-bad',
    'Lược đồ cấu hình từ chối cấu hình sai / The config schema rejects a bad config',
    async () => {
      const bad = suite.invalidConfig ?? {};
      try {
        parse(bad);
      } catch (error) {
        if (!(error instanceof AdapterError) || error.code !== 'CONFIG_INVALID') throw error;
        if (!/:\s*\S/.test(error.message)) fail('the message names no field');
        noteMessage('config error', error.message);
        return error.message;
      }
      return fail('the schema accepted a config that should be invalid');
    },
  );

  await check('config-accepts-good', 'Cấu hình mẫu hợp lệ / The suite config is valid', async () => {
    parse(suite.config);
    return 'ok';
  });

  await check(
    'check-ok',
    'check() chấp nhận cấu hình đúng / check() accepts the working config',
    async () => {
      const result = await adapter.check(parse(suite.config), base());
      if (!result.ok)
        fail(`check() said: ${result.problems.map((p) => `${p.code}: ${p.message}`).join('; ')}`);
      return 'ok';
    },
  );

  await check(
    'check-refused',
    'check() báo thông tin bị từ chối là vấn đề, không sập / check() reports refused credentials as a problem',
    async () => {
      if (suite.refusedConfig === undefined) throw new Skip('no refusedConfig in the suite');
      let result: Awaited<ReturnType<Adapter['check']>>;
      try {
        result = await adapter.check(parse(suite.refusedConfig), base());
      } catch (error) {
        noteError('check(refused)', error);
        return fail(`check() threw instead of returning a problem: ${(error as Error)?.message}`);
      }
      if (result.ok) return fail('check() said ok with refused credentials');
      if (result.problems.length === 0) fail('check() returned ok: false with no problem');
      for (const p of result.problems) {
        if (!p.code || !p.message) fail('a problem has no code or message');
        noteMessage('check(refused) problem', p.message);
      }
      return result.problems.map((p) => p.code).join(', ');
    },
  );

  await check(
    'discover',
    'discover() liệt kê luồng đã khai báo / discover() lists declared streams',
    async () => {
      const discovery = await adapter.discover(parse(suite.config), base());
      const unknown = discovery.streams.filter((s) => !(s.name in adapter.streams));
      if (unknown.length > 0)
        fail(`discover() lists undeclared streams: ${unknown.map((s) => s.name).join(', ')}`);
      return discovery.streams
        .map((s) => `${s.name}${s.count !== undefined ? ` (${s.count})` : ''}`)
        .join(', ');
    },
  );

  const firstReads = new Map<StreamName, ReadOutcome>();
  await check(
    'records-parse',
    'Mọi bản ghi khớp lược đồ chuẩn / Every record parses against the canonical schema',
    async () => {
      const lines: string[] = [];
      for (const stream of streams) {
        const outcome = await read(stream, suite.config);
        firstReads.set(stream, outcome);
        const allowed = STREAMS[stream] as readonly RecordType[];
        let bad = 0;
        for (const { item, type } of outcome.records) {
          const problems = checkRecord(item, { asOf }).problems.filter(
            (p) => p.code.startsWith('SCHEMA_') || p.code === 'RECORD_TYPE_UNKNOWN',
          );
          const wrongType = !allowed.includes(type as RecordType);
          const wrongSource = (item as { source?: { adapter?: string } }).source?.adapter !== adapter.id;
          if (problems.length > 0 || wrongType || wrongSource) {
            bad++;
            if (bad <= 3) {
              lines.push(
                `${stream} ${(item as { key?: string }).key}: ${[
                  ...problems.map((p) => `${p.field} ${p.code}`),
                  ...(wrongType ? [`type ${type} not in stream ${stream}`] : []),
                  ...(wrongSource ? [`source.adapter is not "${adapter.id}"`] : []),
                ].join('; ')}`,
              );
            }
          }
        }
        if (bad > 0) fail(`${bad} bad record(s): ${lines.join(' | ')}`);
        lines.push(`${stream}: ${outcome.count}`);
      }
      return lines.join(', ');
    },
  );

  await check('keys-stable', 'Khóa ổn định giữa hai lần đọc / Keys are stable across two reads', async () => {
    if (firstReads.size === 0) throw new Skip('no first read');
    for (const [stream, first] of firstReads) {
      const second = await read(stream, suite.config);
      const a = new Set(first.records.map((r) => `${r.type}|${r.key}`));
      const b = new Set(second.records.map((r) => `${r.type}|${r.key}`));
      if (a.size !== first.records.length)
        fail(`${stream}: ${first.records.length - a.size} duplicate key(s) in one read`);
      const missing = [...a].filter((k) => !b.has(k));
      const extra = [...b].filter((k) => !a.has(k));
      if (missing.length + extra.length > 0) {
        fail(
          `${stream}: ${missing.length} key(s) gone, ${extra.length} new on the second read (e.g. ${[...missing, ...extra].slice(0, 2).join(', ')})`,
        );
      }
    }
    return [...firstReads.entries()].map(([s, r]) => `${s}: ${r.records.length}`).join(', ');
  });

  await check(
    'incremental',
    'Đọc gia tăng chỉ trả về phần thay đổi và bản ghi xóa / An incremental read returns only changes and deletions',
    async () => {
      const inc = suite.incremental;
      if (!inc) throw new Skip('no incremental case in the suite');
      if (!adapter.streams[inc.stream]?.incremental) fail(`stream ${inc.stream} is not declared incremental`);
      const full = await read(inc.stream, inc.before ?? suite.config);
      if (full.lastCheckpoint === undefined) fail('the full read yielded no checkpoint');
      await inc.mutate?.();
      const delta = await read(inc.stream, inc.after ?? suite.config, full.lastCheckpoint);
      const got = new Set(delta.records.map((r) => r.key));
      const want = new Set(inc.changed);
      const unexpected = [...got].filter((k) => !want.has(k));
      const missing = [...want].filter((k) => !got.has(k));
      const deleted = new Set(delta.deleted);
      const missingDeleted = inc.deleted.filter((k) => !deleted.has(k));
      const extraDeleted = [...deleted].filter((k) => !inc.deleted.includes(k));
      const problems = [
        unexpected.length ? `${unexpected.length} unchanged record(s) returned (e.g. ${unexpected[0]})` : '',
        missing.length ? `${missing.length} changed record(s) missing (e.g. ${missing[0]})` : '',
        missingDeleted.length
          ? `${missingDeleted.length} deletion(s) not reported (e.g. ${missingDeleted[0]})`
          : '',
        extraDeleted.length ? `${extraDeleted.length} unexpected deletion(s) (e.g. ${extraDeleted[0]})` : '',
      ].filter(Boolean);
      if (problems.length > 0) fail(problems.join('; '));
      if (delta.lastCheckpoint === undefined) fail('the incremental read yielded no checkpoint');
      return `${got.size} changed, ${deleted.size} deleted of ${full.count}`;
    },
  );

  await check('abort', 'Dừng nhanh khi bị hủy / Reading stops promptly when aborted', async () => {
    const stream = suite.large?.stream ?? streams[0];
    if (!stream) throw new Skip('no stream to read');
    const config = suite.large?.config ?? suite.config;
    const controller = new AbortController();
    const ctx = readContext(base(controller.signal), parse(config), undefined);
    const iterator = adapter.read(stream, ctx)[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) throw new Skip(`stream ${stream} is empty`);
    controller.abort();
    const started = performance.now();
    const limit = suite.abortWithinMs ?? 2000;
    let after = 0;
    let stillGoing = false;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        after++;
        if (performance.now() - started > limit) {
          stillGoing = true;
          await iterator.return?.(undefined);
          break;
        }
      }
    } catch (error) {
      noteError('read after abort', error);
    }
    const elapsed = performance.now() - started;
    const ms = Math.round(elapsed);
    if (stillGoing) fail(`still yielding ${limit} ms after abort (${after} more items)`);
    if (elapsed > limit) fail(`took ${ms} ms to stop (limit ${limit} ms)`);
    return `stopped after ${after} more item(s) in ${ms} ms`;
  });

  await check(
    'memory',
    'Bộ nhớ có giới hạn với nguồn lớn / Memory stays bounded on a large source',
    async () => {
      const large = suite.large;
      if (!large) throw new Skip('no large source in the suite');
      const gc = gcFunction();
      if (!gc) throw new Skip('cannot force garbage collection here');
      gc();
      const baseline = process.memoryUsage().heapUsed;
      let peak = 0;
      let count = 0;
      const ctx = readContext(base(), parse(large.config), undefined);
      for await (const item of adapter.read(large.stream, ctx)) {
        if (isSignal(item)) continue;
        count++;
        // Often enough to see growth during a read of a few thousand records too.
        if (count % 2_000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
        }
      }
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      const growthMiB = peak / 1024 / 1024;
      if (count < large.minRecords)
        fail(`read ${count} records, fewer than the ${large.minRecords} the suite expects`);
      const max = large.maxHeapGrowthMiB ?? 64;
      if (growthMiB > max)
        fail(`retained heap grew by ${growthMiB.toFixed(1)} MiB over ${count} records (limit ${max} MiB)`);
      return `${count} records, retained heap +${growthMiB.toFixed(1)} MiB`;
    },
  );

  await check(
    'references',
    'Đầu vào tham chiếu cho đúng các lỗi đã biết / Reference inputs produce exactly their known problems',
    async () => {
      const refs = suite.references ?? [];
      if (refs.length === 0) throw new Skip('no reference inputs in the suite');
      const lines: string[] = [];
      for (const ref of refs) {
        const outcome = await read(ref.stream, ref.config, undefined, true);
        const got = outcome.rejected.map((e) => ({
          code: e.code,
          location: e.location ?? '',
          field: e.field ?? '',
        }));
        const unmatched = [...got];
        const missing: string[] = [];
        for (const want of ref.expect.rejected) {
          const i = unmatched.findIndex(
            (g) =>
              g.code === want.code &&
              (want.location === undefined || g.location.includes(want.location)) &&
              (want.field === undefined || g.field === want.field),
          );
          if (i === -1) missing.push(`${want.code}${want.location ? ` at ${want.location}` : ''}`);
          else unmatched.splice(i, 1);
        }
        const countWrong = ref.expect.records !== undefined && ref.expect.records !== outcome.count;
        if (missing.length || unmatched.length || countWrong) {
          fail(
            `${ref.name}: ${[
              missing.length ? `missing ${missing.join(', ')}` : '',
              unmatched.length
                ? `unexpected ${unmatched.map((u) => `${u.code} at ${u.location}`).join(', ')}`
                : '',
              countWrong ? `${outcome.count} records, expected ${ref.expect.records}` : '',
            ]
              .filter(Boolean)
              .join('; ')}`,
          );
        }
        lines.push(`${ref.name}: ${got.length} problem(s) as expected`);
      }
      return lines.join(', ');
    },
  );

  await check(
    'writes',
    'Ghi ngược: khai báo khớp hàm write, mỗi bản ghi một kết quả, ghi lại không trùng / Write-back: writes matches write, one result per record, a repeat changes nothing',
    async () => {
      const problem = writeDeclarationProblem(adapter);
      if (problem) return fail(problem);
      if (!adapter.writes?.length || !adapter.write) return 'declares no write stream';
      const w = suite.write;
      if (!w)
        throw new Skip(`declares writes (${adapter.writes.join(', ')}) but the suite has no write case`);
      if (!adapter.writes.includes(w.stream))
        fail(`the suite writes ${w.stream}, which the adapter does not declare`);
      const keys = (w.records as Array<{ key?: unknown }>).map((r) => String(r.key));
      const ctx = { ...base(), config: parse(w.config ?? suite.config) };
      const once = async (round: string): Promise<Map<string, WriteRecordResult>> => {
        let answer: WriteResult;
        try {
          answer = await adapter.write!(ctx, w.stream, w.records as never);
        } catch (error) {
          noteError(`write ${w.stream}`, error);
          return fail(`write() threw on the ${round} write: ${(error as Error)?.message ?? error}`);
        }
        const results = Array.isArray(answer?.results)
          ? answer.results
          : fail('write() answered no results list');
        const byKey = new Map<string, WriteRecordResult>();
        for (const r of results) {
          if (!keys.includes(r.key)) fail(`${round} write: a result for a key not given: ${r.key}`);
          if (byKey.has(r.key)) fail(`${round} write: two results for ${r.key}`);
          if (r.status !== 'written' && r.status !== 'refused')
            fail(`${round} write: status "${r.status}" for ${r.key}`);
          if (r.status === 'refused' && (!r.code || !r.message)) {
            fail(`${round} write: the refusal of ${r.key} has no code or message`);
          }
          if (r.message) noteMessage(`write ${w.stream}`, r.message);
          byKey.set(r.key, r);
        }
        const missing = keys.filter((k) => !byKey.has(k));
        if (missing.length > 0)
          fail(`${round} write: no result for ${missing.length} record(s) (e.g. ${missing[0]})`);
        const wrong = Object.entries(w.expect).filter(([k, status]) => byKey.get(k)?.status !== status);
        if (wrong.length > 0) {
          const [k, status] = wrong[0]!;
          const got = byKey.get(k);
          fail(
            `${round} write: ${wrong.length} record(s) not as expected (e.g. ${k}: expected ${status}, got ${got?.status ?? 'nothing'}${got?.code ? ` ${got.code}` : ''})`,
          );
        }
        return byKey;
      };
      const first = await once('first');
      const heldAfterFirst = await w.held?.();
      const second = await once('repeated');
      const heldAfterSecond = await w.held?.();
      if (heldAfterFirst !== heldAfterSecond) {
        fail(`the repeated write changed what the source holds (${heldAfterFirst} → ${heldAfterSecond})`);
      }
      const written = [...first.values()].filter((r) => r.status === 'written').length;
      const stillWritten = [...second.values()].filter((r) => r.status === 'written').length;
      return `${written} written, ${first.size - written} refused; repeated: ${stillWritten} written`;
    },
  );

  await check('errors-sdk', 'Chỉ ném lỗi thuộc lớp của SDK / Errors are SDK error classes', async () => {
    if (foreignErrors.length > 0) fail(foreignErrors.slice(0, 3).join(' | '));
    return 'ok';
  });

  await check('secrets', 'Không lộ bí mật trong thông báo / No secret appears in a message', async () => {
    if (secrets.size === 0) throw new Skip('the config has no secret field');
    if (leaks.length > 0) fail(`a secret value appears in: ${[...new Set(leaks)].join(', ')}`);
    return `${secrets.size} secret value(s) checked`;
  });

  return {
    adapter: { id: adapter.id, name: adapter.name, version: adapter.version },
    checks,
    passed: checks.filter((c) => c.status === 'passed').length,
    failed: checks.filter((c) => c.status === 'failed').length,
    skipped: checks.filter((c) => c.status === 'skipped').length,
  };
}

/**
 * The report as people read it: one line per check, then the counts.
 *
 * @example
 * ```ts
 * console.log(renderConformanceReport(await runConformance(adapter, suite)));
 * ```
 */
export function renderConformanceReport(report: ConformanceReport): string {
  const mark = { passed: '✓', failed: '✗', skipped: '–' } as const;
  const lines = [
    `KIỂM TRA TUÂN THỦ / CONFORMANCE: ${report.adapter.name} (${report.adapter.id} ${report.adapter.version})`,
    '',
    ...report.checks.map((c) => `${mark[c.status]} ${c.title}\n    ${c.status}: ${c.detail} (${c.ms} ms)`),
    '',
    `${report.passed} đạt / passed, ${report.failed} không đạt / failed, ${report.skipped} bỏ qua / skipped`,
  ];
  return lines.join('\n');
}
