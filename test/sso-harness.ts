/**
 * What the SSO relay tests share: the hub (its real Fastify app, listening) with the relay mounted,
 * the sandbox VNeID in one personality, a school application played by openid-client 6 as a real
 * relying party with PKCE, and a browser that follows redirects by hand with a cookie jar.
 */
import { Writable } from 'node:stream';
import * as oidc from 'openid-client';
import { reservePort } from '../sandbox/ports.ts';
import {
  generateRelyingPartyKeys,
  startVneidSandbox,
  type VneidCitizen,
  type VneidPersonality,
  type VneidSandbox,
} from '../sandbox/vneid/index.ts';
import { type App, buildApp } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import {
  type AccountClaims,
  type AccountResolution,
  type AddClientInput,
  createSsoRelay,
  type ResolvedAccount,
  type SsoAuditEntry,
  type SsoRelay,
  type SsoRelayOptions,
} from '../src/identity/sso/index.ts';
import { createDatabase, type Database, loadKeyring, migrateToLatest } from '../src/store/index.ts';

export const SCHOOL_REDIRECT = 'https://smas.thcs-nguyen-du.example/oidc/callback';
export const SCHOOL_LOGOUT = 'https://smas.thcs-nguyen-du.example/signed-out';
export const SCOPE = 'openid profile edubridge';

interface Person {
  citizen: VneidCitizen;
  /** Unset: VNeID knows them, the schools do not. */
  account?: { accountId: string; claims: AccountClaims; verifiedGuardian?: boolean };
}

/** The people of the tests. Their ID numbers must never reach a log line. */
export const PEOPLE = {
  teacher: {
    citizen: {
      personalId: '079088012345',
      fullName: 'Trần Thị Bích Ngọc',
      birthDate: '1988-02-19',
      gender: 'female',
      accountLevel: 2,
    },
    account: {
      accountId: 'acc_teacher_7f3a',
      claims: {
        role: 'teacher',
        name: 'Trần Thị Bích Ngọc',
        schools: ['79NB0001'],
        teacher_codes: ['GV0042'],
      },
    },
  },
  guardian: {
    citizen: {
      personalId: '001085067890',
      fullName: 'Lê Văn Phúc',
      birthDate: '1985-11-03',
      gender: 'male',
      accountLevel: 2,
    },
    account: {
      accountId: 'acc_guardian_91c2',
      verifiedGuardian: true,
      claims: {
        role: 'guardian',
        name: 'Lê Văn Phúc',
        schools: ['79NB0001'],
        students: [{ school: '79NB0001', student_code: '7910000123' }],
      },
    },
  },
  unverifiedGuardian: {
    citizen: {
      personalId: '079190045678',
      fullName: 'Phạm Thị Thu',
      birthDate: '1990-07-21',
      gender: 'female',
      accountLevel: 2,
    },
    account: {
      accountId: 'acc_guardian_unverified',
      verifiedGuardian: false,
      claims: { role: 'guardian', name: 'Phạm Thị Thu', schools: ['79NB0001'], students: [] },
    },
  },
  stranger: {
    citizen: {
      personalId: '048095001122',
      fullName: 'Đỗ Minh Khang',
      birthDate: '1995-01-30',
      gender: 'male',
      accountLevel: 2,
    },
  },
  levelOneTeacher: {
    citizen: {
      personalId: '079092033344',
      fullName: 'Võ Thanh Hải',
      birthDate: '1992-09-09',
      gender: 'male',
      accountLevel: 1,
    },
    account: {
      accountId: 'acc_teacher_l1',
      claims: { role: 'teacher', name: 'Võ Thanh Hải', schools: ['79NB0002'], teacher_codes: ['GV0107'] },
    },
  },
  levelOneGuardian: {
    citizen: {
      personalId: '079187055566',
      fullName: 'Huỳnh Thị Mai',
      birthDate: '1987-04-12',
      gender: 'female',
      accountLevel: 1,
    },
    account: {
      accountId: 'acc_guardian_l1',
      verifiedGuardian: true,
      claims: {
        role: 'guardian',
        name: 'Huỳnh Thị Mai',
        schools: ['79NB0002'],
        students: [{ school: '79NB0002', student_code: '7910000456' }],
      },
    },
  },
} satisfies Record<string, Person>;

export type PersonName = keyof typeof PEOPLE;

/** Every personal value of the people above (ID numbers, names, birth dates in both spellings). */
export const PERSONAL_VALUES = Object.values(PEOPLE as Record<string, Person>).flatMap((p) => [
  p.citizen.personalId,
  p.citizen.birthDate,
  p.citizen.birthDate.replaceAll('-', ''),
  p.citizen.fullName,
]);

/** A browser: follows redirects by hand, keeps cookies per origin and path. */
export class Browser {
  private readonly jar = new Map<string, { origin: string; name: string; value: string; path: string }>();

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const cookies = [...this.jar.values()]
      .filter((c) => c.origin === target.origin && pathMatches(target.pathname, c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const headers = new Headers(init.headers);
    if (cookies) headers.set('cookie', cookies);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(target, line);
    return response;
  }

  /** Follows redirects while they stay on `origin`; returns where it left, or the page it stopped on. */
  async follow(
    url: string | URL,
    origin: string,
  ): Promise<
    { left: URL; status?: undefined; body?: undefined } | { left?: undefined; status: number; body: string }
  > {
    let current = new URL(url);
    for (let hops = 0; hops < 20; hops++) {
      const response = await this.fetch(current);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        const next = new URL(location, current);
        if (next.origin !== origin) return { left: next };
        current = next;
        continue;
      }
      return { status: response.status, body: await response.text() };
    }
    throw new Error('too many redirects');
  }

  cookieNames(): string[] {
    return [...this.jar.values()].map((c) => c.name);
  }

  private store(url: URL, line: string) {
    const [pair, ...attributes] = line.split(';').map((s) => s.trim());
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    let path = '/';
    let expired = value === '';
    for (const attribute of attributes) {
      const [key, val = ''] = attribute.split('=');
      const k = key!.toLowerCase();
      if (k === 'path') path = val;
      if (k === 'expires' && new Date(val).getTime() <= Date.now()) expired = true;
      if (k === 'max-age' && Number(val) <= 0) expired = true;
    }
    const key = `${url.origin} ${path} ${name}`;
    if (expired) this.jar.delete(key);
    else this.jar.set(key, { origin: url.origin, name, value, path });
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export interface SchoolApp {
  clientId: string;
  clientSecret: string;
  config: oidc.Configuration;
}

export interface Started {
  verifier: string;
  state: string;
  nonce: string;
  authorizationUrl: URL;
}

export type SignInResult =
  | { outcome: 'code'; callback: URL; started: Started; browser: Browser }
  | { outcome: 'page'; status: number; body: string; started: Started; browser: Browser };

export interface HarnessOptions {
  personality: VneidPersonality;
  encryptCode?: boolean;
  aesMode?: 'ecb' | 'cbc-iv-prefix';
  /** dvcqg: PKCE towards VNeID (default on). */
  pkce?: boolean;
  /**
   * Resolve accounts from the hub's identity store (the people registered as a sync run would,
   * guardian links confirmed as a C06 check would) instead of the fixed accounts above.
   */
  store?: boolean;
}

export interface Harness {
  personality: VneidPersonality;
  hubUrl: string;
  issuer: string;
  app: App;
  relay: SsoRelay;
  sandbox: VneidSandbox;
  database: Database;
  audits: SsoAuditEntry[];
  logs: string[];
  school(input?: Partial<AddClientInput>): Promise<SchoolApp>;
  /** Starts at the school app and walks to VNeID's login page; returns the authorization URL of VNeID. */
  begin(
    school: SchoolApp,
    browser?: Browser,
    extra?: Record<string, string>,
  ): Promise<{ started: Started; browser: Browser; upstreamUrl?: URL; status?: number; body?: string }>;
  /** The full sign-in: school app → hub → VNeID (as `who`) → hub → where the browser ends. */
  signIn(
    school: SchoolApp,
    who: PersonName,
    options?: { browser?: Browser; level?: 1 | 2 },
  ): Promise<SignInResult>;
  /** Back from VNeID: follows the callback URL in the browser. */
  finish(callback: string | URL, browser: Browser, started: Started): Promise<SignInResult>;
  redeem(
    school: SchoolApp,
    result: SignInResult & { outcome: 'code' },
  ): ReturnType<typeof oidc.authorizationCodeGrant>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const database = await createDatabase({});
  await migrateToLatest(database);
  const keyring = loadKeyring({}, () => {});
  const reserved = await reservePort();
  const hubUrl = `http://127.0.0.1:${reserved.port}`;
  const callbackUrl = `${hubUrl}/sso/callback`;
  const rpKeys = options.personality === 'vneid-direct' ? await generateRelyingPartyKeys() : undefined;
  const people = Object.values(PEOPLE as Record<string, Person>);
  const sandbox = await startVneidSandbox({
    personality: options.personality,
    citizens: people.map((p) => p.citizen),
    clients: [
      {
        clientId: 'edubridge-hub',
        clientSecret: 'hub-secret-at-vneid',
        redirectUris: [callbackUrl],
        ...(rpKeys ? { publicKeyPem: rpKeys.publicKeyPem } : {}),
      },
    ],
    ...(options.encryptCode ? { encryptCode: true } : {}),
  });

  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({ LOG_LEVEL: 'debug', REDIS_URL: 'redis://127.0.0.1:6379' }, { envFile: false });
  const app = await buildApp(config, { database, logStream });

  const byPersonalId = new Map(people.map((p) => [p.citizen.personalId, p]));
  const byAccount = new Map(people.filter((p) => p.account).map((p) => [p.account!.accountId, p.account!]));
  const audits: SsoAuditEntry[] = [];
  const upstream: SsoRelayOptions['upstream'] =
    options.personality === 'dvcqg'
      ? {
          personality: 'dvcqg',
          issuer: sandbox.issuer,
          clientId: 'edubridge-hub',
          clientSecret: 'hub-secret-at-vneid',
          ...(options.pkce === undefined ? {} : { pkce: options.pkce }),
        }
      : {
          personality: 'vneid-direct',
          baseUrl: sandbox.url,
          clientId: 'edubridge-hub',
          clientSecret: 'hub-secret-at-vneid',
          privateKeyPem: rpKeys!.privateKeyPem,
          ...(options.aesMode ? { aesMode: options.aesMode } : {}),
        };

  const stored = options.store ? await storeResolver(database, keyring) : undefined;
  const relay = await createSsoRelay({
    database,
    keyring,
    publicUrl: hubUrl,
    cookieKeys: ['test-cookie-key-0123456789abcdef'],
    upstream,
    logger: app.log,
    async resolveAccount(citizen, policy): Promise<AccountResolution> {
      if (stored) return stored.resolveAccount(citizen, policy);
      const account = byPersonalId.get(citizen.personalId)?.account;
      if (!account) return { ok: false, reason: 'unknown_citizen' };
      if (account.claims.role === 'guardian' && !account.verifiedGuardian) {
        return { ok: false, reason: 'no_verified_guardianship' };
      }
      return { ok: true, accountId: account.accountId, claims: account.claims };
    },
    async findAccount(accountId, allowedRoles): Promise<ResolvedAccount | undefined> {
      if (stored) return stored.findAccount(accountId, allowedRoles);
      const account = byAccount.get(accountId);
      return account ? { ok: true, accountId, claims: account.claims } : undefined;
    },
    async audit(entry) {
      audits.push(entry);
    },
  });
  await relay.register(app);
  await reserved.release();
  await app.listen({ host: '127.0.0.1', port: reserved.port });
  const issuer = `${hubUrl}/sso`;

  const harness: Harness = {
    personality: options.personality,
    hubUrl,
    issuer,
    app,
    relay,
    sandbox,
    database,
    audits,
    logs,

    async school(input = {}) {
      const added = await relay.addClient({
        name: 'SMAS THCS Nguyễn Du',
        redirectUris: [SCHOOL_REDIRECT],
        postLogoutRedirectUris: [SCHOOL_LOGOUT],
        ...input,
      });
      const config = await oidc.discovery(
        new URL(added.issuer),
        added.clientId,
        undefined,
        oidc.ClientSecretBasic(added.clientSecret!),
        { execute: [oidc.allowInsecureRequests] },
      );
      return { clientId: added.clientId, clientSecret: added.clientSecret!, config };
    },

    async begin(school, browser = new Browser(), extra = {}) {
      const verifier = oidc.randomPKCECodeVerifier();
      const started: Started = {
        verifier,
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        authorizationUrl: oidc.buildAuthorizationUrl(school.config, {
          redirect_uri: SCHOOL_REDIRECT,
          scope: SCOPE,
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          ...extra,
        }),
      };
      started.authorizationUrl.searchParams.set('state', extra.state ?? started.state);
      started.authorizationUrl.searchParams.set('nonce', started.nonce);
      const walked = await browser.follow(started.authorizationUrl, hubUrl);
      if (walked.left) return { started, browser, upstreamUrl: walked.left };
      return { started, browser, status: walked.status, body: walked.body };
    },

    async signIn(school, who, signInOptions = {}) {
      const begun = await harness.begin(school, signInOptions.browser);
      if (!begun.upstreamUrl) throw new Error(`the hub did not send the browser to VNeID (${begun.status})`);
      if (begun.upstreamUrl.origin !== sandbox.url) {
        // Already signed in at the hub: straight back to the school application.
        return {
          outcome: 'code',
          callback: begun.upstreamUrl,
          started: begun.started,
          browser: begun.browser,
        };
      }
      const callback = await sandbox.login(
        begun.upstreamUrl.href,
        PEOPLE[who].citizen.personalId,
        signInOptions.level,
      );
      return harness.finish(callback, begun.browser, begun.started);
    },

    async finish(callback, browser, started) {
      const walked = await browser.follow(callback, hubUrl);
      if (walked.left) return { outcome: 'code', callback: walked.left, started, browser };
      return { outcome: 'page', status: walked.status, body: walked.body, started, browser };
    },

    redeem(school, result) {
      return oidc.authorizationCodeGrant(school.config, result.callback, {
        pkceCodeVerifier: result.started.verifier,
        expectedState: result.started.state,
        expectedNonce: result.started.nonce,
      });
    },

    async close() {
      await relay.close();
      await app.close();
      await sandbox.close();
      await database.close();
    },
  };
  return harness;
}

/** The reason code a refusal page names (`data-reason`). */
/**
 * The people above in the hub's identity store: the teacher and the level-1 teacher as teachers,
 * each guardian with one child, the link confirmed for those the fixed accounts call verified.
 */
async function storeResolver(database: Database, keyring: ReturnType<typeof loadKeyring>) {
  const { createAccountResolver } = await import('../src/identity/accounts.ts');
  const { registerPeople, registerGuardianLinks, setGuardianLinkVerified } = await import(
    '../src/store/index.ts'
  );
  let n = 0;
  for (const person of Object.values(PEOPLE as Record<string, Person>)) {
    const account = person.account;
    if (!account) continue;
    const school = account.claims.schools[0] ?? '79NB0001';
    const facts = { fullName: person.citizen.fullName, birthDate: person.citizen.birthDate };
    if (account.claims.role === 'teacher') {
      await registerPeople(database, keyring, [
        {
          schoolCode: school,
          role: 'teacher',
          recordKey: `t-${++n}`,
          personalId: person.citizen.personalId,
          facts: { ...facts, code: account.claims.teacher_codes![0]! },
        },
      ]);
      if (person !== PEOPLE.teacher) continue;
      // The teacher is also the confirmed mother of a pupil of her school: two roles, one person.
      await registerPeople(database, keyring, [
        {
          schoolCode: school,
          role: 'student',
          recordKey: 's-7910000777',
          personalId: null,
          facts: { fullName: 'Học Sinh', birthDate: '2014-02-01', code: '7910000777' },
        },
        {
          schoolCode: school,
          role: 'guardian',
          recordKey: 'g-teacher',
          personalId: person.citizen.personalId,
          facts,
        },
      ]);
      const link = { schoolCode: school, studentKey: 's-7910000777', guardianKey: 'g-teacher' };
      await registerGuardianLinks(database, [{ ...link, relationship: 'mother' }]);
      await setGuardianLinkVerified(database, { ...link, verified: true, method: 'c06' });
      continue;
    }
    const studentCode = account.claims.students?.[0]?.student_code ?? `79100009${++n}`;
    const studentKey = `s-${studentCode}`;
    const guardianKey = `g-${++n}`;
    await registerPeople(database, keyring, [
      {
        schoolCode: school,
        role: 'student',
        recordKey: studentKey,
        personalId: null,
        facts: { fullName: 'Học Sinh', birthDate: '2013-05-01', code: studentCode },
      },
      {
        schoolCode: school,
        role: 'guardian',
        recordKey: guardianKey,
        personalId: person.citizen.personalId,
        facts,
      },
    ]);
    await registerGuardianLinks(database, [
      { schoolCode: school, studentKey, guardianKey, relationship: 'father' },
    ]);
    if (account.verifiedGuardian) {
      await setGuardianLinkVerified(database, {
        schoolCode: school,
        studentKey,
        guardianKey,
        verified: true,
        method: 'c06',
      });
    }
  }
  return createAccountResolver({ db: database, keyring });
}

export function refusalReason(body: string): string | undefined {
  return /data-reason="([^"]+)"/.exec(body)?.[1];
}
