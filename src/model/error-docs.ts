/**
 * `docs/errors.md`, rendered from the error catalogue: by who acts, then by kind. Pure, so the
 * test that the committed file is fresh renders it the same way `npm run errors-doc` writes it.
 */
import {
  type Bilingual,
  ERROR_PATTERNS,
  ERRORS,
  type ErrorActor,
  type ErrorEntry,
  type ErrorKind,
  UNKNOWN_CODE,
  UNKNOWN_TARGET_CODE,
} from './error-catalogue.ts';

export const KIND_ORDER: readonly ErrorKind[] = [
  'configuration',
  'bad-input',
  'permanent',
  'transient',
  'unavailable',
  'throttled',
];

const KINDS: Record<ErrorKind, { name: Bilingual; hub: Bilingual }> = {
  configuration: {
    name: { vi: 'cấu hình', en: 'configuration' },
    hub: {
      vi: 'Dừng; không gì chạy được tới khi một người sửa cấu hình, khoá hay tệp của hub',
      en: "Stops; nothing passes until a person fixes a setting, a key or a file of the hub's",
    },
  },
  'bad-input': {
    name: { vi: 'đầu vào sai', en: 'bad input' },
    hub: {
      vi: 'Từ chối phần sai (một tuỳ chọn, một yêu cầu, một tệp, một bản ghi) và nêu chỗ sai',
      en: 'Refuses what is wrong (an option, a request, a file, a record) and names where',
    },
  },
  permanent: {
    name: { vi: 'vĩnh viễn', en: 'permanent' },
    hub: {
      vi: 'Không thử lại: thử lại y như cũ không thể thành công; lô vào thư chết, lần chạy dừng',
      en: 'No retry: trying again as it is cannot succeed; a batch goes to dead letters, a run stops',
    },
  },
  transient: {
    name: { vi: 'tạm thời', en: 'transient' },
    hub: {
      vi: 'Thử lại với thời gian chờ tăng dần; mỗi lần thử được tính, hết lượt thì vào thư chết',
      en: 'Tries again with growing waits; each try counts, and after the last it goes to dead letters',
    },
  },
  unavailable: {
    name: { vi: 'không truy cập được', en: 'unavailable' },
    hub: {
      vi: 'Chờ hệ thống trở lại rồi thử lại, không tính lượt; quá PUSH_OUTAGE_MAX_MS thì vào thư chết',
      en: 'Waits for the system to come back and tries again, no attempt spent; past PUSH_OUTAGE_MAX_MS to dead letters',
    },
  },
  throttled: {
    name: { vi: 'vượt hạn mức', en: 'throttled' },
    hub: {
      vi: 'Chờ như được bảo (Retry-After) rồi gửi tiếp; không tính lượt, không mở cầu dao',
      en: 'Waits as told (Retry-After), then goes on; no attempt spent, the breaker not tripped',
    },
  },
};

const ACTORS: Record<ErrorActor, { name: Bilingual; who: Bilingual }> = {
  school: {
    name: { vi: 'Trường', en: 'The school' },
    who: {
      vi: 'Cán bộ của trường sửa dữ liệu trong phần mềm của trường (hoặc tệp trường đưa)',
      en: "School staff fix data in the school's software (or a file the school gave)",
    },
  },
  vendor: {
    name: { vi: 'Nhà cung cấp phần mềm', en: 'The software vendor' },
    who: {
      vi: 'Nhà cung cấp phần mềm của trường sửa API hoặc tệp xuất của họ (hoặc người viết adapter)',
      en: "The school software's vendor fixes its API or export (or the adapter's author)",
    },
  },
  city: {
    name: { vi: 'Thành phố', en: 'The city' },
    who: {
      vi: 'Người phụ trách hệ thống của thành phố: CSDL ngành, SSC, cổng LGSP, C06, VNeID',
      en: "A person at the city's systems: the city Education DB, SSC, the LGSP gateway, C06, VNeID",
    },
  },
  'district-it': {
    name: { vi: 'IT quận/huyện', en: 'District IT' },
    who: {
      vi: 'Người vận hành hub: cấu hình, khoá, thông tin đăng nhập, mạng, dòng lệnh, khoá API',
      en: 'Whoever runs the hub: settings, keys, credentials, the network, the command line, API keys',
    },
  },
  hub: {
    name: { vi: 'EduBridge (lỗi của hub)', en: 'EduBridge (a bug)' },
    who: {
      vi: 'Một lỗi của EduBridge: báo nhóm phát triển kèm mã và thông báo',
      en: 'A bug in EduBridge: report it with the code and the message',
    },
  },
};

const ACTOR_ORDER: readonly ErrorActor[] = ['school', 'vendor', 'city', 'district-it', 'hub'];

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const both = (text: Bilingual): string => cell(`${text.vi} / ${text.en}`);
const kindName = (kind: ErrorKind): string => both(KINDS[kind].name);

function row(code: string, entry: ErrorEntry): string {
  const values = entry.values?.length ? `<br>(${entry.values.map((v) => `\`${v}\``).join(', ')})` : '';
  return `| \`${code}\`${entry.origin === 'target' ? ' ⁽ᵗ⁾' : ''} | ${kindName(entry.kind)} | ${entry.status} | ${both(entry.title)} | ${cell(entry.message.vi)} / ${cell(entry.message.en)}${values} | ${both(entry.action)} |`;
}

const HEADER = [
  '| Mã / Code | Loại / Kind | HTTP | Ý nghĩa / Meaning | Thông báo / Message | Cách xử lý / What to do |',
  '| --- | --- | --- | --- | --- | --- |',
];

/** The whole of `docs/errors.md`. */
export function renderErrorDocs(): string {
  const lines: string[] = [
    '# Mã lỗi / Error codes',
    '',
    '<!-- Generated from src/model/error-catalogue.ts by `npm run errors-doc`; do not edit by hand. -->',
    '',
    'Mọi mã lỗi của EduBridge, theo người cần xử lý rồi theo loại. Mã ổn định: chương trình và bảng theo dõi dựa vào chúng.',
    'Thông báo có `{giá trị}` được điền khi lỗi xảy ra. Mã của các quy tắc kiểm tra dữ liệu là một danh mục riêng',
    '(`edubridge rules`, `src/model/rule-catalogue.ts`).',
    '',
    'Every EduBridge error code, by who acts, then by kind. Codes are stable: programs and dashboards key on them.',
    'A message fills its `{values}` when the error happens. The data-quality rules have a catalogue of their own',
    '(`edubridge rules`, `src/model/rule-catalogue.ts`).',
    '',
    '## Loại / Kinds',
    '',
    '| Loại / Kind | Hub làm gì / What the hub does |',
    '| --- | --- |',
    ...KIND_ORDER.map((k) => `| \`${k}\` (${kindName(k)}) | ${both(KINDS[k].hub)} |`),
    '',
    '## Ai xử lý / Who acts',
    '',
    '| | |',
    '| --- | --- |',
    ...ACTOR_ORDER.map((a) => `| \`${a}\` (${both(ACTORS[a].name)}) | ${both(ACTORS[a].who)} |`),
    '',
    '⁽ᵗ⁾ Mã do đích (CSDL ngành, SSC) trả về, hub chuyển nguyên vào thư chết / a code a target (the city Education DB, SSC) gives, passed on as is into dead letters.',
    '',
  ];
  const codes = Object.entries(ERRORS as Readonly<Record<string, ErrorEntry>>);
  for (const actor of ACTOR_ORDER) {
    const mine = codes
      .filter(([, e]) => e.actor === actor)
      .sort(
        ([a, x], [b, y]) => KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind) || a.localeCompare(b),
      );
    lines.push(`## ${both(ACTORS[actor].name)}`, '', ...HEADER, ...mine.map(([code, e]) => row(code, e)), '');
  }
  lines.push(
    '## Họ mã / Code families',
    '',
    'Mã dựng từ một trạng thái HTTP hay mã riêng của cổng. Mã cụ thể ở trên (ví dụ `HTTP_503`) được ưu tiên; trong các họ, họ đầu tiên khớp được dùng.',
    '',
    "Codes built from an HTTP status or a gateway's own code. An exact code above (e.g. `HTTP_503`) wins; of the families, the first that matches.",
    '',
    '| Họ / Family | Ai / Who | Loại / Kind | HTTP | Ý nghĩa / Meaning | Thông báo / Message | Cách xử lý / What to do |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...ERROR_PATTERNS.map(
      (p) =>
        `| \`${p.pattern}\` | \`${p.actor}\` | ${kindName(p.kind)} | ${p.status} | ${both(p.title)} | ${cell(p.message.vi)} / ${cell(p.message.en)} | ${both(p.action)} |`,
    ),
    '',
    '## Mã chưa biết / Unknown codes',
    '',
    '| Khi / When | Ai / Who | Loại / Kind | HTTP | Cách xử lý / What to do |',
    '| --- | --- | --- | --- | --- |',
    `| ${both({ vi: 'Mã riêng của đích mà danh mục chưa có', en: "A target's own code the catalogue lacks" })} | \`${UNKNOWN_TARGET_CODE.actor}\` | ${kindName(UNKNOWN_TARGET_CODE.kind)} | ${UNKNOWN_TARGET_CODE.status} | ${both(UNKNOWN_TARGET_CODE.action)} |`,
    `| ${both({ vi: 'Bất kỳ mã nào khác không có trong danh mục', en: 'Any other code not in the catalogue' })} | \`${UNKNOWN_CODE.actor}\` | ${kindName(UNKNOWN_CODE.kind)} | ${UNKNOWN_CODE.status} | ${both(UNKNOWN_CODE.action)} |`,
    '',
  );
  return lines.join('\n');
}
