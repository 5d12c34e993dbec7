/**
 * The few pages a citizen may see at the hub: a refused sign-in, the sign-out question and its
 * answer, and oidc-provider's own errors. Vietnamese first, English beside; no stack, no personal data.
 */
import { REFUSALS, type RefusalReason, refusalCode } from './errors.ts';

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const PAGE_STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f8;color:#1b1f23;margin:0}
main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.35rem;margin:0 0 1rem}.en{color:#57606a}.code{font-family:ui-monospace,monospace;background:#eef1f4;padding:.1rem .35rem;border-radius:4px}
button,.button{display:inline-block;font-size:1rem;padding:.6rem 1rem;border-radius:6px;border:0;margin:.25rem .5rem .25rem 0;cursor:pointer;text-decoration:none}
.primary{background:#0b5cad;color:#fff}.secondary{background:#eef1f4;color:#1b1f23}`;

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>`;
}

export interface RefusalPage {
  reason: RefusalReason;
  /** Where "back to the application" goes (the school app gets `error=access_denied`). */
  returnTo?: string | undefined;
  clientName?: string | undefined;
}

export function refusalPage(page: RefusalPage): string {
  const text = REFUSALS[page.reason];
  const app = page.clientName ? ` (${escapeHtml(page.clientName)})` : '';
  const back = page.returnTo
    ? `<p><a class="button primary" href="${escapeHtml(page.returnTo)}">Quay lại ứng dụng${app} <span class="en">/ Back to the application</span></a></p>`
    : '';
  return layout(
    'Không thể đăng nhập / Sign-in refused',
    `<h1>Không thể đăng nhập <span class="en">/ Sign-in refused</span></h1>
<p>${escapeHtml(text.vi)}</p>
<p class="en" lang="en">${escapeHtml(text.en)}</p>
<p>Mã lý do / Reason: <span class="code" data-reason="${escapeHtml(page.reason)}">${escapeHtml(refusalCode(page.reason))}</span></p>
${back}`,
  );
}

export function logoutPage(form: string, clientName: string | undefined): string {
  const app = clientName ? ` (${escapeHtml(clientName)})` : '';
  return layout(
    'Đăng xuất / Sign out',
    `<h1>Đăng xuất khỏi EduBridge? <span class="en">/ Sign out of EduBridge?</span></h1>
<p>Ứng dụng${app} yêu cầu đăng xuất. Đăng xuất khỏi mọi ứng dụng của trường đã đăng nhập qua VNeID trên máy này?</p>
<p class="en" lang="en">The application${app} asks to sign you out. Sign out of every school application you signed in to with VNeID on this device?</p>
${form}
<button class="primary" autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Có, đăng xuất <span lang="en">/ Yes, sign me out</span></button>
<button class="secondary" type="submit" form="op.logoutForm">Không, chỉ ứng dụng này <span lang="en">/ No, only this application</span></button>`,
  );
}

export function logoutSuccessPage(clientName: string | undefined): string {
  const app = clientName ? ` ${escapeHtml(clientName)}` : '';
  return layout(
    'Đã đăng xuất / Signed out',
    `<h1>Đã đăng xuất <span class="en">/ Signed out</span></h1>
<p>Bạn đã đăng xuất${app ? ` khỏi${app}` : ''}. Có thể đóng trang này.</p>
<p class="en" lang="en">You are signed out${app ? ` of${app}` : ''}. You may close this page.</p>`,
  );
}

/** oidc-provider's protocol errors (a bad redirect URI, an unknown client …), shown to the browser. */
export function protocolErrorPage(out: { error?: unknown; error_description?: unknown }): string {
  return layout(
    'Yêu cầu không hợp lệ / Invalid request',
    `<h1>Yêu cầu đăng nhập không hợp lệ <span class="en">/ The sign-in request is not valid</span></h1>
<p>Ứng dụng của trường đã gửi một yêu cầu mà EduBridge không chấp nhận. Hãy báo cho bộ phận hỗ trợ của trường.</p>
<p class="en" lang="en">The school application sent a request EduBridge does not accept. Please tell the school’s support team.</p>
<p>Mã lỗi / Error: <span class="code" data-error="${escapeHtml(out.error)}">${escapeHtml(out.error)}</span></p>
${out.error_description ? `<p class="en" lang="en">${escapeHtml(out.error_description)}</p>` : ''}`,
  );
}

/** A fault of the hub itself; the citizen can only try again. */
export function internalErrorPage(): string {
  return layout(
    'Lỗi hệ thống / System error',
    `<h1>Lỗi hệ thống <span class="en">/ System error</span></h1>
<p>EduBridge gặp lỗi khi xử lý đăng nhập. Hãy thử lại sau ít phút.</p>
<p class="en" lang="en">EduBridge failed while processing the sign-in. Please try again in a few minutes.</p>
<p>Mã lỗi / Error: <span class="code" data-reason="internal_error">SSO_INTERNAL_ERROR</span></p>`,
  );
}
