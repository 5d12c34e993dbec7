import type { Command } from 'commander';
import type { Role, SsoAdmin } from '../../identity/sso/index.ts';
// The policy module alone: the relay's index would load openid-client for every command.
import { type RedirectUriList, redirectUriError } from '../../identity/sso/redirect-uris.ts';
import { badOption, printJson, printLine, UsageError } from '../io.ts';

const ROLE_NAMES: readonly Role[] = ['teacher', 'guardian', 'student', 'district_admin'];

/**
 * What the commands need: the relay's store as an administrator sees it (a relay serving sign-ins
 * will do), and a way to let go of it.
 */
export type OpenRelay = () => Promise<{ relay: SsoAdmin; close(): Promise<void> }>;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseRoles(value: string | undefined): Role[] | undefined {
  if (value === undefined) return undefined;
  const roles = [
    ...new Set(
      value
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = roles.filter((r) => !(ROLE_NAMES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length > 0) {
    throw badOption(
      '--roles',
      `gồm một hoặc nhiều trong ${ROLE_NAMES.join(', ')} (nhận được "${value}")`,
      `lists some of ${ROLE_NAMES.join(', ')} (got "${value}")`,
    );
  }
  return roles as Role[];
}

function parseLevel(value: string | undefined): 1 | 2 | undefined {
  if (value === undefined) return undefined;
  if (value !== '1' && value !== '2') {
    throw badOption('--level', `là 1 hoặc 2 (nhận được "${value}")`, `is 1 or 2 (got "${value}")`);
  }
  return Number(value) as 1 | 2;
}

/**
 * The URIs of one flag, checked by the relay's own redirect URI policy before the store is opened:
 * the same codes and messages as `addClient` gives, as one line.
 */
function parseUrls(values: string[], list: RedirectUriList): string[] {
  const error = redirectUriError(values, list);
  if (error) throw new UsageError(error.code, error.message);
  return values;
}

async function withRelay<T>(open: OpenRelay, work: (relay: SsoAdmin) => Promise<T>): Promise<T> {
  const { relay, close } = await open();
  try {
    return await work(relay);
  } catch (error) {
    // Bad client metadata is the user's to fix: one line, no stack.
    if ((error as Error)?.name === 'SsoClientInputError') {
      throw new UsageError((error as { code: string }).code, (error as Error).message);
    }
    throw error;
  } finally {
    await close();
  }
}

/**
 * `edubridge sso client add …` registers a school application with the hub's OpenID Provider and
 * prints its credentials once; `edubridge sso keys rotate` starts signing ID tokens with a new key.
 */
export function registerSsoCommands(program: Command, open: OpenRelay): void {
  const sso = program
    .command('sso')
    .description(
      'Đăng nhập một lần qua VNeID cho ứng dụng của trường / VNeID single sign-on for school apps',
    );

  const client = sso.command('client').description('Ứng dụng của trường / School applications');
  client
    .command('add')
    .description(
      'Đăng ký một ứng dụng và in client_secret MỘT lần / Register an application and print its client_secret ONCE',
    )
    .requiredOption('--name <app>', 'tên ứng dụng / application name')
    .requiredOption(
      '--redirect-uri <url>',
      'redirect URI, so khớp chính xác; lặp lại được / exact redirect URI; repeatable',
      collect,
    )
    .option(
      '--post-logout-uri <url>',
      'URI sau đăng xuất; lặp lại được / post-logout URI; repeatable',
      collect,
    )
    .option(
      '--roles <roles>',
      `vai trò được phép, cách nhau bởi dấu phẩy (mặc định teacher,guardian,district_admin) / allowed roles: ${ROLE_NAMES.join(', ')}`,
    )
    .option(
      '--level <1|2>',
      'mức định danh tối thiểu (mặc định: cán bộ 2, phụ huynh và học sinh 1) / minimum level (default: staff 2, guardians and students 1)',
    )
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(
      async (opts: {
        name: string;
        redirectUri: string[];
        postLogoutUri?: string[];
        roles?: string;
        level?: string;
        json?: boolean;
      }) => {
        const allowedRoles = parseRoles(opts.roles);
        const requiredLevel = parseLevel(opts.level);
        const input = {
          name: opts.name,
          redirectUris: parseUrls(opts.redirectUri, 'redirect_uris'),
          ...(opts.postLogoutUri
            ? { postLogoutRedirectUris: parseUrls(opts.postLogoutUri, 'post_logout_redirect_uris') }
            : {}),
          ...(allowedRoles ? { allowedRoles } : {}),
          ...(requiredLevel ? { requiredLevel } : {}),
        };
        const added = await withRelay(open, (relay) => relay.addClient(input));
        process.stderr.write(
          'Cảnh báo / Warning: client_secret chỉ hiện MỘT lần này, hãy lưu vào kho bí mật ngay / the client_secret is shown ONCE: store it in a secret manager now\n',
        );
        if (opts.json) {
          return printJson({
            clientId: added.clientId,
            clientSecret: added.clientSecret,
            issuer: added.issuer,
          });
        }
        printLine(`Ứng dụng / Application: ${opts.name}`);
        printLine(`client_id:     ${added.clientId}`);
        if (added.clientSecret) printLine(`client_secret: ${added.clientSecret}`);
        printLine(`issuer:        ${added.issuer}`);
        printLine(`discovery:     ${added.issuer}/.well-known/openid-configuration`);
        printLine('PKCE (S256) bắt buộc; phạm vi / PKCE (S256) is required; scope: openid profile edubridge');
      },
    );

  const keys = sso.command('keys').description('Khoá ký ID token / ID token signing keys');
  keys
    .command('rotate')
    .description(
      'Ký bằng khoá mới; khoá cũ vẫn công bố một thời gian / Sign with a new key; the old one stays published for a while',
    )
    .option('--json', 'in kết quả dạng JSON / print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { kid } = await withRelay(open, (relay) => relay.rotateSigningKey());
      if (opts.json) return printJson({ kid });
      printLine(`Khoá ký mới / New signing key: ${kid}`);
    });
}
