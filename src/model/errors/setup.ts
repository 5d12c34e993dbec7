/**
 * Codes of the hub's own setup: settings, keys, its stores, its sources file, the targets and
 * services it is configured with. District IT acts on nearly all of them.
 */
import type { ErrorEntry } from './types.ts';

export const SETUP_ERRORS = {
  CONFIG_INVALID: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Cấu hình sai', en: 'Invalid configuration' },
    message: { vi: 'Cấu hình sai: {issues}', en: 'Invalid configuration: {issues}' },
    values: ['issues'],
    action: {
      vi: 'Sửa biến môi trường (hoặc cấu hình adapter trong SOURCES_FILE) được nêu, rồi khởi động lại',
      en: "Fix the setting named (an environment variable, or an adapter's config in SOURCES_FILE), then start again",
    },
  },
  KEY_INVALID: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Khoá mã hoá không hợp lệ', en: 'Invalid encryption key' },
    message: { vi: 'Khoá mã hoá không hợp lệ: {reason}', en: 'Invalid encryption key: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Sửa DATA_KEYS / BLIND_INDEX_KEY: mỗi khoá là id:base64 của đúng 32 byte (edubridge keys generate)',
      en: 'Fix DATA_KEYS / BLIND_INDEX_KEY: each key is id:base64 of exactly 32 bytes (edubridge keys generate)',
    },
  },
  KEY_MISSING: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Thiếu khoá mã hoá', en: 'Encryption key missing' },
    message: {
      vi: 'Cần đặt {name} khi NODE_ENV=production',
      en: '{name} must be set when NODE_ENV=production',
    },
    values: ['name'],
    action: {
      vi: 'Đặt khoá (edubridge keys generate tạo khoá) và giữ bí mật',
      en: 'Set the key (edubridge keys generate makes one) and keep it secret',
    },
  },
  KEY_UNKNOWN: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Thiếu khoá đã mã hoá dữ liệu', en: 'The key of the data is missing' },
    message: {
      vi: 'DATA_KEYS không có khoá "{key}"',
      en: 'No key with id "{key}" in DATA_KEYS',
    },
    values: ['key'],
    action: {
      vi: 'Thêm lại khoá cũ vào DATA_KEYS (sau khoá hiện hành) cho tới khi edubridge keys rotate chạy xong',
      en: 'Put the old key back in DATA_KEYS (after the current one) until edubridge keys rotate has run',
    },
  },
  CIPHER_INVALID: {
    kind: 'permanent',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Dữ liệu mã hoá hỏng', en: 'Encrypted data damaged' },
    message: { vi: 'Không giải mã được {what}: {reason}', en: 'Cannot decrypt {what}: {reason}' },
    values: ['what', 'reason'],
    action: {
      vi: 'Kiểm tra DATA_KEYS đúng là các khoá đã mã hoá dữ liệu; nếu đúng, dữ liệu đã bị sửa: báo nhóm phát triển',
      en: 'Check that DATA_KEYS holds the keys the data was encrypted with; if so, the data was altered: report it',
    },
  },
  MIGRATION_FAILED: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Di chuyển lược đồ thất bại', en: 'Database migration failed' },
    message: {
      vi: 'Di chuyển lược đồ {migration} thất bại: {reason}',
      en: 'Migration {migration} failed: {reason}',
    },
    values: ['migration', 'reason'],
    action: {
      vi: 'Đọc lý do, sửa cơ sở dữ liệu (quyền, phiên bản PostgreSQL) rồi chạy edubridge db migrate',
      en: 'Read the reason, fix the database (permissions, PostgreSQL version), then run edubridge db migrate',
    },
  },
  DATABASE_UNAVAILABLE: {
    kind: 'unavailable',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Không kết nối được PostgreSQL', en: 'PostgreSQL cannot be reached' },
    message: {
      vi: 'Không kết nối được PostgreSQL: {reason}',
      en: 'PostgreSQL cannot be reached: {reason}',
    },
    values: ['reason'],
    action: {
      vi: 'Không cần làm gì nếu chỉ thoáng qua: bước được thử lại; nếu kéo dài, kiểm tra PostgreSQL (DATABASE_URL)',
      en: 'Nothing if brief: the step is tried again; if it lasts, check PostgreSQL (DATABASE_URL)',
    },
  },
  REDIS_UNAVAILABLE: {
    kind: 'unavailable',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Không kết nối được Redis', en: 'Redis cannot be reached' },
    message: { vi: 'Không kết nối được Redis: {reason}', en: 'Redis cannot be reached: {reason}' },
    values: ['reason'],
    action: {
      vi: 'Không cần làm gì nếu chỉ thoáng qua; nếu kéo dài, kiểm tra Redis (REDIS_URL)',
      en: 'Nothing if brief; if it lasts, check Redis (REDIS_URL)',
    },
  },
  SOURCES_NOT_FOUND: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Không đọc được tệp nguồn dữ liệu', en: 'Sources file cannot be read' },
    message: {
      vi: 'Không đọc được tệp nguồn dữ liệu "{path}" (SOURCES_FILE)',
      en: 'Cannot read the sources file "{path}" (SOURCES_FILE)',
    },
    values: ['path'],
    action: {
      vi: 'Đặt SOURCES_FILE chỉ tới tệp JSON nguồn dữ liệu của các trường',
      en: "Point SOURCES_FILE at the JSON file of the schools' sources",
    },
  },
  SOURCES_MALFORMED: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Tệp nguồn dữ liệu sai', en: 'Sources file malformed' },
    message: { vi: 'Tệp "{path}": {reason}', en: '"{path}": {reason}' },
    values: ['path', 'reason'],
    action: {
      vi: 'Sửa tệp nguồn dữ liệu ở chỗ được nêu (JSON: trường → adapter và cấu hình)',
      en: 'Fix the sources file where named (JSON: school → adapter and config)',
    },
  },
  SOURCE_ADAPTER_UNAVAILABLE: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Không nạp được adapter của trường', en: "School's adapter cannot be loaded" },
    message: {
      vi: 'Trường {school}: không nạp được adapter "{adapter}": {reason}',
      en: 'School {school}: cannot load adapter "{adapter}": {reason}',
    },
    values: ['school', 'adapter', 'reason'],
    action: {
      vi: 'Sửa "adapter" của trường trong SOURCES_FILE: mã adapter có sẵn, đường dẫn (./…, tương đối với tệp) tới module, hoặc tên gói npm đã cài',
      en: 'Fix the school\'s "adapter" in SOURCES_FILE: a built-in id, a path (./…, relative to the file) to a module, or an installed npm package\'s name',
    },
  },
  SOURCE_ADAPTER_INCOMPATIBLE: {
    kind: 'configuration',
    status: 500,
    actor: 'vendor',
    title: { vi: 'Adapter viết cho phiên bản SDK khác', en: 'Adapter built for another SDK version' },
    message: {
      vi: 'Trường {school}: adapter {adapter} viết cho SDK {adapterSdk}, hub này dùng SDK {hubSdk}',
      en: 'School {school}: adapter {adapter} was built for SDK {adapterSdk}; this hub runs SDK {hubSdk}',
    },
    values: ['school', 'adapter', 'adapterSdk', 'hubSdk'],
    action: {
      vi: 'Dùng phiên bản adapter viết cho SDK của hub (cùng số chính, số phụ không mới hơn), hoặc nâng cấp hub',
      en: "Use a version of the adapter built for the hub's SDK (same major, minor no newer), or upgrade the hub",
    },
  },
  SOURCE_SECRET_UNRESOLVED: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Không đọc được giá trị tham chiếu', en: 'Referenced value cannot be read' },
    message: {
      vi: 'Trường {school}, adapter {adapter}, trường cấu hình {field}: {reason}',
      en: 'School {school}, adapter {adapter}, config field {field}: {reason}',
    },
    values: ['school', 'adapter', 'field', 'reason'],
    action: {
      vi: 'Đặt biến môi trường, hoặc tạo tệp, mà tham chiếu nêu; rồi chạy lại',
      en: 'Set the environment variable, or create the file, that the reference names; then run again',
    },
  },
  SOURCE_CONFIG_INVALID: {
    kind: 'configuration',
    status: 500,
    actor: 'district-it',
    title: { vi: 'Cấu hình adapter của trường sai', en: "School's adapter config invalid" },
    message: {
      vi: 'Trường {school}, adapter {adapter}: {issues}',
      en: 'School {school}, adapter {adapter}: {issues}',
    },
    values: ['school', 'adapter', 'issues'],
    action: {
      vi: 'Sửa "config" của trường trong SOURCES_FILE ở trường cấu hình được nêu (xem docs/adapters.md)',
      en: 'Fix the school\'s "config" in SOURCES_FILE at the field named (see docs/adapters.md)',
    },
  },
  SCHOOL_NOT_CONFIGURED: {
    kind: 'configuration',
    status: 404,
    actor: 'district-it',
    title: { vi: 'Trường chưa có nguồn dữ liệu', en: 'School has no configured source' },
    message: {
      vi: 'Trường {school} chưa có nguồn dữ liệu',
      en: 'School {school} has no configured source',
    },
    values: ['school'],
    action: {
      vi: 'Thêm trường vào SOURCES_FILE (adapter và cấu hình của nó), rồi chạy lại',
      en: 'Add the school to SOURCES_FILE (its adapter and its config), then run again',
    },
  },
  ADAPTERS_UNAVAILABLE: {
    kind: 'configuration',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Tiến trình không có adapter', en: 'No adapters in this process' },
    message: {
      vi: 'Tiến trình này không nạp adapter',
      en: 'This process has no adapters loaded',
    },
    action: {
      vi: 'Chạy việc này ở tiến trình có adapter (worker, hoặc hub không tách API)',
      en: 'Run it where adapters are loaded (a worker, or a hub not split from its API)',
    },
  },
  TARGET_NOT_CONFIGURED: {
    kind: 'configuration',
    status: 409,
    actor: 'district-it',
    title: { vi: 'Đích chưa được cấu hình', en: 'Target not configured' },
    message: {
      vi: 'Đích {target} chưa được cấu hình: {reason}',
      en: 'Target {target} is not configured: {reason}',
    },
    values: ['target', 'reason'],
    action: {
      vi: 'Đặt các biến của đích (ví dụ CITY_EDUDB_GATEWAY_URL, SSC_GATEWAY_URL và thông tin đăng nhập) trên mọi worker',
      en: "Set the target's variables (e.g. CITY_EDUDB_GATEWAY_URL, SSC_GATEWAY_URL and credentials) on every worker",
    },
  },
  SSO_NOT_CONFIGURED: {
    kind: 'configuration',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Đăng nhập một lần chưa được cấu hình', en: 'Single sign-on not configured' },
    message: {
      vi: 'Đăng nhập một lần cần {setting}',
      en: 'Single sign-on needs {setting}',
    },
    values: ['setting'],
    action: {
      vi: 'Đặt các biến SSO_* và VNEID_* (xem docs/settings.md), rồi khởi động lại',
      en: 'Set the SSO_* and VNEID_* variables (see docs/settings.md), then start again',
    },
  },
  C06_NOT_CONFIGURED: {
    kind: 'configuration',
    status: 503,
    actor: 'district-it',
    title: { vi: 'Kết nối C06 thiếu thông tin', en: 'C06 connection incomplete' },
    message: {
      vi: 'C06 cần C06_OFFICIAL_ID (MaCanBo) và C06_UNIT_CODE (MaDonVi): C06 ghi nhận ai tra cứu',
      en: 'C06 needs C06_OFFICIAL_ID (MaCanBo) and C06_UNIT_CODE (MaDonVi): it records who asks',
    },
    action: {
      vi: 'Đặt C06_OFFICIAL_ID và C06_UNIT_CODE do cơ quan công an cấp',
      en: 'Set C06_OFFICIAL_ID and C06_UNIT_CODE as issued by the police',
    },
  },
} as const satisfies Record<string, ErrorEntry>;
