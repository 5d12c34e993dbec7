/**
 * The demo as CI runs it: a small district, `--once`, exit 0 only when every school synced and the
 * city Education DB and SSC hold exactly what they should, payments pulled back from SSC.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('syncs every school of a small district and reconciles exactly', () => {
  const bin = join(import.meta.dirname, '..', 'bin', 'edubridge.js');
  const r = spawnSync(
    process.execPath,
    [bin, 'demo', '--once', '--schools', '2', '--class-size', '10', '--port', '0'],
    {
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, DATABASE_URL: '' },
    },
  );
  expect(r.stdout).toContain(
    '✓ CSDL ngành và SSC giữ đúng những gì cần giữ / The city DB and SSC hold exactly what they should',
  );
  expect(r.stdout).toMatch(/SSC holds [1-9]\d* fee items and notices, the ledger [1-9]\d*, 0 differ/);
  expect(r.stdout).toMatch(/79NB0001\s+succeeded/);
  expect(r.stdout).toMatch(/79NB0002\s+succeeded/);
  // The SSO issuer it prints is one the hub serves.
  expect(r.stdout).toMatch(
    /discovery: http:\/\/127\.0\.0\.1:\d+\/sso\/\.well-known\/openid-configuration \(✓/,
  );
  expect(r.status).toBe(0);
}, 120_000);
