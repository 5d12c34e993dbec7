/**
 * Run as a child process by test/hub.test.ts: builds a hub from the environment's settings, listens,
 * starts its workers, reaches every lazily made part (run queue, identity queue, schedule queue),
 * then closes the hub and does nothing more. The process must then leave by itself: a handle the
 * hub forgot to close (a socket, a timer, a Redis connection) would keep it alive.
 */
import { createHub } from '../../src/app/hub.ts';
import { loadConfig } from '../../src/config/index.ts';
import { getRun } from '../../src/store/index.ts';

const hub = await createHub(loadConfig(process.env, { envFile: false }), { sso: null });
const app = await hub.app();
await app.listen({ host: '127.0.0.1', port: 0 });
const workers = await hub.startWorkers({ concurrency: 1 });
await hub.runs().resendPending(0);
await hub.identity().queue?.getJobCounts();
await hub.schedules().get('79NB0001');
await getRun(hub.database, '00000000-0000-4000-8000-000000000000');
await workers.sync.sweep(0);
await hub.close();
process.stdout.write(`closed ${app.server.listening ? 'listening' : 'not listening'}\n`);
