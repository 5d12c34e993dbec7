/**
 * A person at the login page, without a browser: GET the authorization URL, read the form, POST
 * the chosen citizen and level, and hand back where the sandbox redirects. Only HTTP, like a browser.
 */
import { unescapeHtml } from './pages.ts';
import { VneidLoginError } from './types.ts';

const isRedirect = (status: number) => status >= 300 && status < 400;

function pageError(html: string, status: number): VneidLoginError {
  const found = /<p class="error"[^>]*data-code="([^"]*)"[^>]*>([\s\S]*?)<\/p>/.exec(html);
  if (!found) {
    return new VneidLoginError(
      'unexpected_page',
      `Trang trả về HTTP ${status} / The page answered HTTP ${status}`,
      status,
    );
  }
  return new VneidLoginError(unescapeHtml(found[1]!), unescapeHtml(found[2]!), status);
}

/**
 * @example
 * const callback = await loginAs(authorizationUrl, '001099012345', 2);
 * // → https://rp.example/callback?code=…&state=…
 */
export async function loginAs(
  authorizationUrl: string,
  personalId: string,
  accountLevel?: 1 | 2,
): Promise<string> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const html = await page.text();
  const location = page.headers.get('location');
  if (isRedirect(page.status) && location) return location;
  if (page.status !== 200) throw pageError(html, page.status);

  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  const interaction = /<input type="hidden" name="interaction" value="([^"]*)"/.exec(html)?.[1];
  if (action === undefined || interaction === undefined) {
    throw new VneidLoginError(
      'no_login_form',
      'Trang không có biểu mẫu đăng nhập / The page has no login form',
      page.status,
    );
  }
  const form = new URLSearchParams({ interaction: unescapeHtml(interaction), personalId });
  if (accountLevel !== undefined) form.set('accountLevel', String(accountLevel));
  const answer = await fetch(new URL(unescapeHtml(action), authorizationUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  const answerHtml = await answer.text();
  const target = answer.headers.get('location');
  if (isRedirect(answer.status) && target) return target;
  throw pageError(answerHtml, answer.status);
}
