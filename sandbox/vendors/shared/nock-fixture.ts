/**
 * Nock fixtures with a record switch. A test asks for a fixture by file; normally the recording
 * is replayed (no network at all: every request must match a recorded one), and with `RECORD=1`
 * in the environment the live system is started, the test runs against it while nock records,
 * and the recording is scrubbed and written back:
 *
 *   RECORD=1 npx vitest run adapters/rest/rest.replay.test.ts
 *
 * Scrubbing: the live origin becomes a fixed loopback placeholder, access tokens and given
 * secrets become `***`, and volatile headers (date, connection, content-length) are dropped.
 *
 * @example
 * const fx = await nockFixture({ file: new URL('../../fixtures/rest/students.json', import.meta.url),
 *   start: () => startRestSchool({ schools: 1, classSize: 5 }), secrets: ['sandbox-api-key'] });
 * try { … read from fx.url … } finally { await fx.done(); }
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import nock from 'nock';

/** Where replayed requests go: never contacted, nock answers first. */
export const FIXTURE_ORIGIN = 'http://127.0.0.1:9';

export const recording = (): boolean => process.env.RECORD === '1' || process.env.RECORD === 'true';

export interface LiveSystem {
  url: string;
  close(): Promise<void>;
}

export interface FixtureOptions<S extends LiveSystem> {
  /** The recording (JSON). */
  file: string | URL;
  /** Starts the live system (only when recording). */
  start: () => Promise<S>;
  /** Values to replace with `***` wherever they appear (passwords, API keys, client secrets). */
  secrets?: string[];
}

export interface Fixture<S extends LiveSystem> {
  /** The base URL the test talks to: the live system's, or the placeholder when replaying. */
  url: string;
  recording: boolean;
  /** The live system, when recording. */
  live: S | undefined;
  /** Writes the recording (record mode) or checks every recorded call was made (replay mode). */
  done(): Promise<void>;
}

type Definition = nock.Definition & { rawHeaders?: Record<string, string> | string[] };

const DROP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

function scrub(defs: Definition[], origin: string, secrets: readonly string[]): Definition[] {
  let text = JSON.stringify(defs);
  text = text.split(origin).join(FIXTURE_ORIGIN);
  // Hosts written without the scheme (a WSDL's soap:address may be rewritten by the client).
  text = text.split(origin.replace(/^https?:\/\//, '')).join(FIXTURE_ORIGIN.replace(/^https?:\/\//, ''));
  for (const secret of secrets) if (secret) text = text.split(secret).join('***');
  const out = JSON.parse(text) as Definition[];
  for (const def of out) {
    const response = def.response as Record<string, unknown> | string | undefined;
    if (response && typeof response === 'object' && typeof response.access_token === 'string') {
      response.access_token = 'scrubbed-access-token';
    }
    if (typeof def.body === 'string') {
      def.body = def.body.replace(/(client_secret|password)=[^&]*/g, '$1=***') as never;
    }
    if (def.rawHeaders && !Array.isArray(def.rawHeaders)) {
      for (const name of Object.keys(def.rawHeaders)) {
        if (DROP_HEADERS.has(name.toLowerCase())) delete def.rawHeaders[name];
      }
    }
  }
  return out;
}

const pathOf = (file: string | URL) => (file instanceof URL ? fileURLToPath(file) : file);

/**
 * Replays `file`, or records it again when `RECORD=1`. Call `done()` in `finally`.
 */
export async function nockFixture<S extends LiveSystem>(options: FixtureOptions<S>): Promise<Fixture<S>> {
  const file = pathOf(options.file);
  if (!nock.isActive()) nock.activate();
  if (recording()) {
    const live = await options.start();
    nock.recorder.rec({ output_objects: true, dont_print: true, enable_reqheaders_recording: false });
    return {
      url: live.url,
      recording: true,
      live,
      async done() {
        const defs = nock.recorder.play() as Definition[];
        nock.recorder.clear();
        nock.restore();
        await live.close();
        await mkdir(dirname(file), { recursive: true });
        const origin = new URL(live.url).origin;
        await writeFile(file, `${JSON.stringify(scrub(defs, origin, options.secrets ?? []), null, 2)}\n`);
      },
    };
  }
  const defs = JSON.parse(await readFile(file, 'utf8')) as Definition[];
  nock.disableNetConnect();
  const scopes = nock.define(defs);
  return {
    url: FIXTURE_ORIGIN,
    recording: false,
    live: undefined,
    async done() {
      const pending = scopes.flatMap((s) => s.pendingMocks());
      nock.cleanAll();
      nock.enableNetConnect();
      if (pending.length > 0) {
        throw new Error(`recorded calls not made (${file}): ${pending.slice(0, 5).join(', ')}`);
      }
    },
  };
}
