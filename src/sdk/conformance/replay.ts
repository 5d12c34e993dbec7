/**
 * Replaying a recorded API for a conformance run: the requests a recording holds (nock's
 * `define` format, as `nock.recorder` writes it) are answered, any other request fails at once, and
 * no request leaves the process. Used by the suites `edubridge adapter new` writes.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { hubError } from '../errors.ts';

/** A recording being replayed; `close()` it when the suite is done. */
export interface Replay {
  /** Ends the replay: recorded answers are dropped and the network is allowed again. */
  close(): Promise<void>;
}

/**
 * Starts answering the requests recorded in `file`, for as long as the suite runs.
 *
 * @example
 * ```ts
 * const replay = await replayRecording(new URL('./fixtures/api.nock.json', import.meta.url));
 * try { … } finally { await replay.close(); }
 * ```
 */
export async function replayRecording(file: string | URL): Promise<Replay> {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  let nock: typeof import('nock');
  try {
    nock = (await import('nock')).default as unknown as typeof import('nock');
  } catch {
    throw hubError('RECORDING_UNAVAILABLE', {
      reason: {
        vi: 'thiếu gói nock bên cạnh hub (npm install -D nock)',
        en: 'the nock package is not installed beside the hub (npm install -D nock)',
      },
    });
  }
  let definitions: unknown;
  try {
    definitions = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw hubError('RECORDING_UNAVAILABLE', {
      reason: {
        vi: `không đọc được bản ghi "${path}" (${(cause as Error).message})`,
        en: `cannot read the recording "${path}": ${(cause as Error).message}`,
      },
    });
  }
  nock.disableNetConnect();
  for (const scope of nock.define(definitions as Parameters<typeof nock.define>[0])) scope.persist();
  return {
    async close() {
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}
