/**
 * The HTML a person sees: the login page (citizen chooser, account level, hidden interaction id),
 * error pages and the signed-out page, Vietnamese with English beside. `login()` reads the same
 * markup a browser shows: the form's `action`, the hidden `interaction`, and `p.error`.
 */
import type { VneidCitizen, VneidPersonality } from './types.ts';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

export function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** A message shown to a person: Vietnamese, then English. */
export interface PageMessage {
  code: string;
  vi: string;
  en: string;
}
export const bilingual = (m: { vi: string; en: string }) => `${m.vi} / ${m.en}`;

const BRAND: Record<VneidPersonality, { vi: string; en: string }> = {
  dvcqg: {
    vi: 'Cổng Dịch vụ công Quốc gia — Đăng nhập bằng tài khoản định danh điện tử VNeID',
    en: 'National Public Service Portal — Log in with your VNeID electronic identity',
  },
  'vneid-direct': {
    vi: 'VNeID — Hệ thống định danh và xác thực điện tử',
    en: 'VNeID — Electronic identification and authentication',
  },
};

const STYLE = `body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
header{border-bottom:3px solid #c8102e;margin-bottom:1rem}.sandbox{background:#fff3cd;padding:.4rem .6rem}
.error{background:#f8d7da;color:#721c24;padding:.6rem}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}label{display:block;margin:.8rem 0}
button{background:#c8102e;color:#fff;border:0;padding:.6rem 1.4rem;font-size:1rem}`;

function layout(personality: VneidPersonality, title: string, body: string): string {
  const brand = BRAND[personality];
  return `<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<header><h1>${escapeHtml(brand.vi)}</h1><p lang="en">${escapeHtml(brand.en)}</p></header>
<p class="sandbox">Môi trường thử nghiệm: mọi công dân dưới đây là giả lập / Sandbox: every citizen below is made up</p>
${body}
</body>
</html>
`;
}

const errorBlock = (error: PageMessage) =>
  `<p class="error" role="alert" data-code="${escapeHtml(error.code)}">${escapeHtml(bilingual(error))}</p>`;

/** DD/MM/YYYY, as Vietnamese pages show dates. */
const displayDate = (iso: string) => iso.split('-').reverse().join('/');

export interface LoginPageInput {
  personality: VneidPersonality;
  action: string;
  interaction: string;
  clientId: string;
  citizens: VneidCitizen[];
  /** The level the relying party asked for with acr_values, if any. */
  requiredLevel?: 1 | 2;
  error?: PageMessage;
  selected?: { personalId?: string; accountLevel?: string };
}

export function loginPage(input: LoginPageInput): string {
  const rows = input.citizens
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.fullName)}</td><td>${escapeHtml(c.personalId)}</td>` +
        `<td>${escapeHtml(displayDate(c.birthDate))}</td><td>${c.accountLevel ?? 2}</td></tr>`,
    )
    .join('\n');
  const options = input.citizens
    .map((c) => {
      const selected = c.personalId === input.selected?.personalId ? ' selected' : '';
      return `<option value="${escapeHtml(c.personalId)}"${selected}>${escapeHtml(c.fullName)} — ${escapeHtml(c.personalId)}</option>`;
    })
    .join('\n');
  const level = input.selected?.accountLevel === '1' ? '1' : '2';
  const required = input.requiredLevel
    ? `<p>Dịch vụ yêu cầu tài khoản mức ${input.requiredLevel} / The service requires a level ${input.requiredLevel} account</p>`
    : '';
  const body = `<h2>Đăng nhập / Log in</h2>
<p>Ứng dụng <strong>${escapeHtml(input.clientId)}</strong> yêu cầu xác thực danh tính của bạn / The application <strong>${escapeHtml(input.clientId)}</strong> asks to verify your identity</p>
${required}${input.error ? errorBlock(input.error) : ''}
<table>
<thead><tr><th>Họ và tên / Full name</th><th>Số định danh cá nhân / Personal ID</th><th>Ngày sinh / Birth date</th><th>Mức tài khoản / Account level</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="interaction" value="${escapeHtml(input.interaction)}">
<label>Công dân / Citizen
<select name="personalId" required>
${options}
</select></label>
<label>Mức tài khoản / Account level
<select name="accountLevel">
<option value="2"${level === '2' ? ' selected' : ''}>Mức 2 (có sinh trắc học) / Level 2 (with biometrics)</option>
<option value="1"${level === '1' ? ' selected' : ''}>Mức 1 / Level 1</option>
</select></label>
<button type="submit">Đăng nhập / Log in</button>
</form>`;
  return layout(input.personality, 'Đăng nhập / Log in', body);
}

export function errorPage(personality: VneidPersonality, error: PageMessage): string {
  return layout(
    personality,
    'Lỗi / Error',
    `<h2>Không thể đăng nhập / Cannot log in</h2>\n${errorBlock(error)}\n<p>Vui lòng quay lại ứng dụng và thử lại / Please go back to the application and try again</p>`,
  );
}

export function signedOutPage(personality: VneidPersonality): string {
  return layout(
    personality,
    'Đã đăng xuất / Signed out',
    '<h2>Đã đăng xuất / Signed out</h2>\n<p>Bạn đã đăng xuất khỏi phiên làm việc / You have been signed out of your session</p>',
  );
}
