/**
 * The `excel` adapter: the files schools really have — MOET `C1-HocSinh` student lists,
 * `CSDL_GiaoVien` staff lists, grade books, `KetQuaHocTap` learning results, timetable grids and
 * fee lists — as `.xlsx` or `.csv`,
 * read as streams into canonical records. See README.md beside this file.
 */
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  type CheckProblem,
  type Discovery,
  defineAdapter,
  type InputLimits,
  inputLimits,
  type StreamDefinition,
} from '../../src/sdk/index.ts';
import { configSchema, type ExcelConfig, type ExcelStream, KIND_STREAMS, keySystem } from './config.ts';
import { probeFile } from './probe.ts';
import { readStream } from './read.ts';
import { readFileRecords } from './read-file.ts';

export const EXCEL_ADAPTER_ID = 'excel';
export const EXCEL_ADAPTER_VERSION = '1.0.0';

/** Files up to this size are counted by discover(); larger workbooks would cost a full read. */
const COUNT_XLSX_UP_TO_BYTES = 1024 * 1024;

const incremental = (description: string): StreamDefinition => ({
  primaryKey: ['key'],
  incremental: true,
  reportsDeletions: true,
  description,
});

const info = { id: EXCEL_ADAPTER_ID, version: EXCEL_ADAPTER_VERSION };

const streamsIn = (config: ExcelConfig): ExcelStream[] => [
  ...new Set(config.files.map((f) => KIND_STREAMS[f.kind])),
];

async function countRecords(
  config: ExcelConfig,
  stream: ExcelStream,
  signal: AbortSignal,
  limits: InputLimits,
): Promise<number | undefined> {
  let count = 0;
  for (const file of config.files.filter((f) => KIND_STREAMS[f.kind] === stream)) {
    const isCsv = ['.csv', '.txt'].includes(extname(file.path).toLowerCase());
    if (!isCsv && (await stat(file.path)).size > COUNT_XLSX_UP_TO_BYTES) return undefined;
    const records = readFileRecords(file, {
      config,
      system: keySystem(config.schoolCode),
      adapter: info,
      pulledAt: new Date(0),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      signal,
      limits,
    });
    for await (const batch of records) count += batch.length;
  }
  return count;
}

export default defineAdapter({
  id: EXCEL_ADAPTER_ID,
  name: 'Excel / CSV (MOET templates, school software exports)',
  version: EXCEL_ADAPTER_VERSION,
  description:
    'Tệp Excel/CSV của nhà trường: danh sách học sinh C1-HocSinh, CSDL_GiaoVien, sổ điểm, kết quả học tập (KetQuaHocTap), thời khóa biểu, khoản thu / School spreadsheets: student and staff lists, grade books, learning results, timetables, fee lists',
  configSchema,
  streams: {
    students: incremental(
      'Học sinh, cha mẹ và người giám hộ trên cùng dòng / Students with inline guardians',
    ),
    teachers: incremental('Cán bộ, giáo viên / Staff'),
    assessments: incremental(
      'Sổ điểm và kết quả học tập theo Thông tư 22 / Grade books and learning results (Circular 22)',
    ),
    timetable: incremental('Thời khóa biểu dạng lưới / Timetable grids'),
    fees: incremental('Phiếu báo thu theo học sinh / Fee notices per student'),
  },

  async check(config, ctx) {
    const problems: CheckProblem[] = [];
    for (const file of config.files) {
      const probe = await probeFile(file, config, ctx.signal, inputLimits(ctx));
      if (!probe.ok) problems.push(probe.problem);
    }
    return problems.length === 0 ? { ok: true } : { ok: false, problems };
  },

  async discover(config, ctx) {
    const schoolYears = new Set<string>();
    if (config.schoolYear) schoolYears.add(config.schoolYear);
    for (const file of config.files) {
      const probe = await probeFile(file, config, ctx.signal, inputLimits(ctx));
      if (probe.ok && probe.titles.schoolYear) schoolYears.add(probe.titles.schoolYear);
    }
    const streams: Discovery['streams'] = [];
    for (const name of streamsIn(config)) {
      const count = await countRecords(config, name, ctx.signal, inputLimits(ctx));
      streams.push(count === undefined ? { name } : { name, count });
    }
    return {
      streams,
      schools: [{ schoolCode: config.schoolCode }],
      ...(schoolYears.size > 0 ? { schoolYears: [...schoolYears].sort() } : {}),
    };
  },

  read(stream, ctx) {
    return readStream(stream, ctx, info);
  },
});
