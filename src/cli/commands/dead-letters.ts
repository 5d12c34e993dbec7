/**
 * `edubridge dead-letters list|replay|discard`: the records a target refused, or that exhausted
 * their attempts, listed, sent again after the fix, or discarded. Bodies are never printed. Through
 * the running hub's API when EDUBRIDGE_URL and EDUBRIDGE_API_KEY are set, else in the configured
 * database (see hub-access.ts).
 */
import type { Command } from 'commander';
import type { Adapter } from '../../sdk/index.ts';
import { withHubAccess } from '../hub-access.ts';
import { EXIT, integerOption, printJson, printLine, UsageError } from '../io.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const actor = () => `cli:${process.env.USER ?? 'unknown'}`;

function checkIds(ids: readonly string[]): void {
  const bad = ids.find((id) => !UUID.test(id));
  if (bad !== undefined)
    throw new UsageError(
      'OPTION_INVALID',
      `"${bad}" không phải mã thư chết`,
      `"${bad}" is not a dead letter id`,
    );
}

/**
 * Registers `dead-letters` and its subcommands. `adapters` is accepted for symmetry with the sync
 * command: a replay sends the staged bodies and needs no adapter.
 */
export function registerDeadLetterCommands(
  program: Command,
  _adapters?: { load(id: string): Promise<Adapter> },
  setExitCode: (code: number) => void = () => {},
): void {
  const cmd = program
    .command('dead-letters')
    .description('Bản ghi bị hệ thống đích từ chối / Records a target refused or that failed');

  cmd
    .command('list')
    .description('Liệt kê thư chết đang mở / List open dead letters')
    .option('--school <code>', 'mã trường / school code')
    .option('--target <id>', 'hệ thống đích / target')
    .option('--code <code>', 'mã lỗi của đích / the target’s code')
    .option('--state <state>', 'open | replayed | discarded | all', 'open')
    .option('--limit <n>', 'tối đa / at most', '100')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(
      async (opts: {
        school?: string;
        target?: string;
        code?: string;
        state: string;
        limit: string;
        json?: boolean;
      }) => {
        const { DEAD_LETTER_STATES, listDeadLetters } = await import('../../store/index.ts');
        if (!(DEAD_LETTER_STATES as readonly string[]).includes(opts.state))
          throw new UsageError(
            'OPTION_INVALID',
            `--state phải là ${DEAD_LETTER_STATES.join(', ')}`,
            `--state must be one of ${DEAD_LETTER_STATES.join(', ')}`,
          );
        const limit = integerOption(opts.limit, '--limit', 1, 1000);
        const filter = {
          ...(opts.school ? { school: opts.school } : {}),
          ...(opts.target ? { target: opts.target } : {}),
          ...(opts.code ? { code: opts.code } : {}),
        };
        const { describeDeadLetter } = await import('../../pipeline/dead-letter-guidance.ts');
        const shown = await withHubAccess(async (access) => {
          if (access.kind === 'remote')
            return (await access.client.listDeadLetters({ ...filter, state: opts.state, limit })).deadLetters;
          const rows = await listDeadLetters(access.hub.database, {
            state: opts.state as (typeof DEAD_LETTER_STATES)[number],
            limit,
            ...(filter.school ? { schools: [filter.school] } : {}),
            ...(filter.target ? { target: filter.target } : {}),
            ...(filter.code ? { code: filter.code } : {}),
          });
          return rows.map(describeDeadLetter);
        });
        if (opts.json) {
          printJson({ deadLetters: shown });
          return;
        }
        if (shown.length === 0) printLine('Không có thư chết / No dead letters');
        // Grouped by reason: one line of who acts and what to do, then the letters it covers.
        const byReason = new Map<string, typeof shown>();
        for (const d of shown)
          byReason.set(`${d.target}\u0000${d.code}`, [
            ...(byReason.get(`${d.target}\u0000${d.code}`) ?? []),
            d,
          ]);
        for (const letters of byReason.values()) {
          const first = letters[0]!;
          printLine(
            `${first.target} ${first.code} (${letters.length}) → ${first.actor}: ${first.action.vi} / ${first.action.en}`,
          );
          for (const d of letters) {
            printLine(
              `  ${d.id}  ${d.schoolCode}  ${d.stream}  ${d.recordKey}  ×${d.occurrences} (${d.firstSeenAt.slice(0, 10)}…${d.lastSeenAt.slice(0, 10)})  ${d.state}`,
            );
          }
        }
      },
    );

  cmd
    .command('replay')
    .description('Gửi lại thư chết sau khi sửa lỗi / Send dead letters again after the fix')
    .option('--id <id...>', 'mã thư chết / dead letter ids')
    .option('--school <code>', 'mọi thư mở của trường / every open letter of a school')
    .option('--target <id>', 'chỉ hệ thống đích này / only this target')
    .option('--code <code>', 'chỉ mã lỗi này / only this code')
    .option('--all', 'mọi thư đang mở / every open letter')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(
      async (opts: {
        id?: string[];
        school?: string;
        target?: string;
        code?: string;
        all?: boolean;
        json?: boolean;
      }) => {
        if (!opts.id && !opts.school && !opts.target && !opts.code && !opts.all)
          throw new UsageError(
            'OPTION_MISSING',
            'Cần --id, --school, --target, --code hoặc --all',
            'Give --id, --school, --target, --code or --all',
          );
        if (opts.id) checkIds(opts.id);
        const { replayDeadLetters } = await import('../../pipeline/dead-letters.ts');
        const result = await withHubAccess(async (access) => {
          if (access.kind === 'remote')
            return access.client.replayDeadLetters(
              opts.id
                ? { ids: opts.id }
                : {
                    ...(opts.school ? { school: opts.school } : {}),
                    ...(opts.target ? { target: opts.target } : {}),
                    ...(opts.code ? { code: opts.code } : {}),
                    ...(opts.all ? { all: true } : {}),
                  },
            );
          const { hub } = access;
          return replayDeadLetters({
            db: hub.database,
            keyring: hub.keyring,
            targets: hub.targets(),
            replayedBy: actor(),
            ...(opts.id
              ? { ids: opts.id }
              : {
                  filter: {
                    ...(opts.school ? { schools: [opts.school] } : {}),
                    ...(opts.target ? { target: opts.target } : {}),
                    ...(opts.code ? { code: opts.code } : {}),
                  },
                }),
          });
        });
        setExitCode(result.stillRefused + result.failed > 0 ? EXIT.invalid : EXIT.ok);
        if (opts.json) {
          printJson(result);
          return;
        }
        for (const l of result.letters) {
          printLine(`${l.id}  ${l.recordKey}  ${l.outcome}  ${l.code}${l.message ? `  ${l.message}` : ''}`);
        }
        printLine(
          `Đã gửi lại / replayed ${result.replayed}, vẫn bị từ chối / still refused ${result.stillRefused}, thất bại / failed ${result.failed}, đã có bản mới hơn / superseded ${result.superseded}`,
        );
      },
    );

  cmd
    .command('discard <id>')
    .description('Bỏ một thư chết / Discard a dead letter')
    .action(async (id: string) => {
      checkIds([id]);
      const { getDeadLetter, markDeadLettersDiscarded } = await import('../../store/index.ts');
      const outcome = await withHubAccess(async (access) => {
        // The API answers DEAD_LETTER_NOT_FOUND or DEAD_LETTER_CLOSED itself, in the same words.
        if (access.kind === 'remote') return (await access.client.discardDeadLetter(id)) && 'discarded';
        const db = access.hub.database;
        if (!(await getDeadLetter(db, id))) return 'missing';
        return (await markDeadLettersDiscarded(db, [id], actor())) === 1 ? 'discarded' : 'closed';
      });
      if (outcome === 'missing')
        throw new UsageError('DEAD_LETTER_NOT_FOUND', `Không có thư chết ${id}`, `No dead letter ${id}`);
      if (outcome === 'closed')
        throw new UsageError(
          'DEAD_LETTER_CLOSED',
          `Thư chết ${id} đã được xử lý`,
          `Dead letter ${id} is already replayed or discarded`,
        );
      printLine(`Đã bỏ / Discarded ${id}`);
    });
}
