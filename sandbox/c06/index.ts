/**
 * The C06 (national population DB) side for tests and the demo: the lookup simulator and its
 * population built from a generated district. Behind the sandbox gateway it is the service
 * `C06_SANDBOX_SERVICE`: `startSandboxGateway('xroad', { routes: { c06: c06.url } })`, and the hub
 * calls `sendSoap({ service: 'c06', operation: 'TraCuuThongTinCongDan', … })`.
 */
export * from './population.ts';
export * from './server.ts';

/** The gateway service C06 sits behind in the sandbox (the real NDXP name is not known ❓). */
export const C06_SANDBOX_SERVICE = 'c06';
