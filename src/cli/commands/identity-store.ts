/**
 * Identity commands that read or write the hub's store: a school's coverage report as a workbook
 * (with the people to follow up), and a batch of card readings exported by a reader at school.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { badOption, printJson, printLine, usageError } from '../io.ts';

const STATUS_VI: Record<string, string> = {
  verified: 'Đã xác thực (C06)',
  verified_offline: 'Đã xác thực bằng thẻ',
  mismatch: 'Sai lệch',
  not_found: 'Không tìm thấy',
  error: 'Lỗi tra cứu',
  pending: 'Đang chờ tra cứu',
  unchecked: 'Chưa kiểm tra',
};
const ROLE_VI: Record<string, string> = { teacher: 'Giáo viên', student: 'Học sinh', guardian: 'Phụ huynh' };
const FIELD_VI: Record<string, string> = {
  personalId: 'số định danh',
  fullName: 'họ tên',
  birthDate: 'ngày sinh',
  gender: 'giới tính',
};
const HOW_VI: Record<string, string> = {
  diacritics_only: 'chỉ khác dấu',
  different: 'khác',
  missing: 'thiếu',
};

async function openStore() {
  const { loadConfig } = await import('../../config/index.ts');
  const { createDatabase, loadKeyring, migrateToLatest } = await import('../../store/index.ts');
  const config = loadConfig();
  const db = await createDatabase(config);
  await migrateToLatest(db);
  return { config, db, keyring: loadKeyring(config) };
}

function schoolOption(value: string | undefined): string {
  if (!value || !/^[A-Za-z0-9._-]{1,32}$/.test(value)) {
    throw badOption(
      '--school',
      `cần mã trường (nhận được "${value ?? ''}")`,
      `needs a school code (got "${value ?? ''}")`,
    );
  }
  return value;
}

export function registerIdentityStoreCommands(identity: Command, setExitCode: (code: number) => void): void {
  identity
    .command('report')
    .description(
      'Báo cáo độ phủ xác thực của một trường, kèm danh sách cần xử lý / A school’s identity coverage, with the people to follow up',
    )
    .requiredOption('--school <code>', 'mã trường / school code')
    .option('--xlsx <file>', 'ghi ra tệp Excel / write an Excel workbook')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(async (opts: { school: string; xlsx?: string; json?: boolean }) => {
      const school = schoolOption(opts.school);
      const { identityCoverage, peopleToFollowUp, audit } = await import('../../store/index.ts');
      const { db, keyring } = await openStore();
      try {
        const coverage = await identityCoverage(db, school);
        const people = opts.xlsx ? await peopleToFollowUp(db, keyring, school) : [];
        if (opts.xlsx) {
          await writeIdentityReport(opts.xlsx, school, coverage, people);
          // The list names people: who exported it is on record.
          await audit(db, {
            actor: `cli:${process.env.USER ?? 'unknown'}`,
            role: null,
            action: 'identity:report:export',
            resource: `school:${school}`,
            decision: 'allow',
            detail: { school, people: people.length },
          });
        }
        if (opts.json) return printJson({ schoolCode: school, roles: coverage });
        for (const [role, counts] of Object.entries(coverage)) {
          printLine(
            `${ROLE_VI[role]} / ${role}: ${counts.total} — C06 ${counts.verified}, thẻ/card ${counts.verified_offline}, sai lệch/mismatch ${counts.mismatch}, không thấy/not found ${counts.not_found}, lỗi/error ${counts.error}, chưa/unchecked ${counts.unchecked + counts.pending}, không có số định danh/no ID ${counts.noPersonalId}`,
          );
        }
        if (opts.xlsx)
          printLine(`Đã ghi / Written: ${opts.xlsx} (${people.length} người cần xử lý / to follow up)`);
      } finally {
        await db.close();
      }
    });

  identity
    .command('offline <file>')
    .description(
      'Kiểm tra một lô dữ liệu đầu đọc thẻ (mỗi dòng một thẻ: QR hoặc JSON chip) / Check a batch exported by a card reader (one card a line: QR text or chip JSON)',
    )
    .requiredOption('--school <code>', 'mã trường / school code')
    .option('--purpose <text>', 'mục đích / purpose', 'gate-check')
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(async (file: string, opts: { school: string; purpose: string; json?: boolean }) => {
      const school = schoolOption(opts.school);
      const { IdentityService, IdentityError } = await import('../../identity/service.ts');
      const { db, keyring } = await openStore();
      const service = new IdentityService({ db, keyring });
      const requester = { actor: `cli:${process.env.USER ?? 'unknown'}`, role: null, purpose: opts.purpose };
      const results: Array<Record<string, unknown>> = [];
      try {
        const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
        let line = 0;
        for await (const text of lines) {
          line++;
          if (text.trim() === '') continue;
          try {
            const outcome = await service.checkOffline({ payload: text, schoolCodes: [school] }, requester);
            results.push({ line, ...outcome });
          } catch (error) {
            if (!(error instanceof IdentityError)) throw error;
            setExitCode(1);
            results.push({
              line,
              result: 'refused',
              code: error.code,
              ...error.details,
              vi: error.vi,
              en: error.en,
            });
          }
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw usageError('FILE_NOT_FOUND', { path: file });
        }
        throw error;
      } finally {
        await db.close();
      }
      if (opts.json) return printJson({ file, results });
      for (const r of results) {
        const where = `${file}:${r.line}`;
        if (r.result === 'refused')
          printLine(`${where}: ✗ ${r.code} ${r.rule ?? ''} ${r.field ?? ''} — ${r.vi} / ${r.en}`);
        else printLine(`${where}: ${r.result === 'verified_offline' ? '✓' : '≠'} ${r.role} ${r.result}`);
      }
    });
}

export async function writeIdentityReport(
  file: string,
  school: string,
  coverage: Awaited<ReturnType<typeof import('../../store/index.ts').identityCoverage>>,
  people: Awaited<ReturnType<typeof import('../../store/index.ts').peopleToFollowUp>>,
): Promise<void> {
  // Loaded here, not at the top: exceljs takes a third of a second, and every command would pay it.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true });
  const summary = workbook.addWorksheet('Tong hop');
  summary.columns = [
    { header: 'Vai trò / Role', width: 22 },
    { header: 'Tổng / Total', width: 12 },
    { header: 'C06 / Verified', width: 14 },
    { header: 'Thẻ / Offline', width: 14 },
    { header: 'Sai lệch / Mismatch', width: 18 },
    { header: 'Không thấy / Not found', width: 20 },
    { header: 'Lỗi / Error', width: 12 },
    { header: 'Chưa / Unchecked', width: 16 },
    { header: 'Không có số ĐD / No ID', width: 20 },
  ];
  summary.getRow(1).font = { bold: true };
  for (const [role, c] of Object.entries(coverage)) {
    summary
      .addRow([
        `${ROLE_VI[role]} / ${role}`,
        c.total,
        c.verified,
        c.verified_offline,
        c.mismatch,
        c.not_found,
        c.error,
        c.unchecked + c.pending,
        c.noPersonalId,
      ])
      .commit();
  }
  summary.addRow([]).commit();
  summary.addRow([`Trường / School: ${school}`, `Lập lúc / Generated: ${new Date().toISOString()}`]).commit();
  await summary.commit();

  const list = workbook.addWorksheet('Can xu ly');
  list.columns = [
    { header: 'Vai trò / Role', width: 14 },
    { header: 'Mã / Code', width: 16 },
    { header: 'Họ tên / Name', width: 28 },
    { header: 'Trạng thái / Status', width: 24 },
    { header: 'Sai lệch / What differs', width: 36 },
    { header: 'Cách kiểm / Method', width: 12 },
    { header: 'Lúc / At', width: 22 },
    { header: 'Khoá bản ghi / Record key', width: 36 },
  ];
  list.getRow(1).font = { bold: true };
  for (const p of people) {
    const detail = (p.statusDetail ?? {}) as {
      fields?: Array<{ field: string; how: string }>;
      code?: string;
    };
    const differs = [
      ...(detail.fields ?? []).map((f) => `${FIELD_VI[f.field] ?? f.field}: ${HOW_VI[f.how] ?? f.how}`),
      ...(detail.code ? [detail.code] : []),
      ...(p.personalId === null ? ['không có số định danh / no ID on file'] : []),
    ].join('; ');
    list
      .addRow([
        ROLE_VI[p.role] ?? p.role,
        p.facts?.code ?? '',
        p.facts?.fullName ?? '',
        `${STATUS_VI[p.status] ?? p.status} / ${p.status}`,
        differs,
        p.statusMethod ?? '',
        p.statusAt?.toISOString() ?? '',
        p.recordKey,
      ])
      .commit();
  }
  await list.commit();
  await workbook.commit();
}
