/**
 * What operators deploy beside the hub (ops/): the Prometheus alert rules are valid and behave as
 * their unit tests say (promtool, from Debian's `prometheus` package; .ci/run installs it), the
 * example scrape configuration is valid, and the rules and the Grafana dashboard only name
 * metrics the hub serves. Without promtool the promtool checks are skipped on a developer's
 * machine, and fail in CI.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OPS = join(ROOT, 'ops');
const run = promisify(execFile);
/** Grafana's reference to the dashboard's datasource variable, as the panels must carry it. */
const DATASOURCE_VARIABLE = ['$', '{datasource}'].join('');

async function promtoolPath(): Promise<string | undefined> {
  try {
    const { stdout } = await run('sh', ['-c', 'command -v promtool']);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

const promtool = await promtoolPath();

async function promtoolSays(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(promtool!, args, { cwd: ROOT });
  return `${stdout}${stderr}`;
}

describe('promtool', () => {
  it('is on PATH in CI (Debian package prometheus)', () => {
    if (process.env.CI) expect(promtool, 'promtool missing: apt-get install prometheus').toBeDefined();
  });

  it.skipIf(!promtool)('finds the four alert rules valid', async () => {
    const out = await promtoolSays('check', 'rules', 'ops/prometheus/alerts.yml');
    expect(out).toContain('SUCCESS: 4 rules found');
  });

  it.skipIf(!promtool)(
    'passes the rules’ unit tests: each alert fires, and stays quiet, when it should',
    async () => {
      const out = await promtoolSays('test', 'rules', 'ops/prometheus/alerts.test.yml');
      expect(out).toContain('SUCCESS');
    },
  );

  it.skipIf(!promtool)('finds the example scrape configuration valid', async () => {
    const out = await promtoolSays('check', 'config', 'ops/prometheus/prometheus.yml');
    expect(out).toContain('is valid prometheus config file syntax');
  });
});

/** The `edubridge_*` metrics the hub defines (`name: 'edubridge_…'` in src/metrics). */
function servedMetrics(): Set<string> {
  const dir = join(ROOT, 'src', 'metrics');
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/name: '(edubridge_\w+)'/g)) names.add(m[1]!);
  }
  return names;
}

/** A name as written in a query, with a histogram's series suffixes taken off. */
const familyOf = (name: string, served: Set<string>) =>
  served.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');

describe('the rules and the dashboard', () => {
  const served = servedMetrics();

  it('find the metrics the hub defines', () => {
    for (const name of [
      'edubridge_records_total',
      'edubridge_school_last_success_timestamp_seconds',
      'edubridge_queue_oldest_waiting_age_seconds',
      'edubridge_breaker_state',
    ])
      expect(served).toContain(name);
  });

  it('name no metric the hub does not serve', () => {
    for (const file of ['prometheus/alerts.yml', 'grafana/edubridge.json']) {
      const text = readFileSync(join(OPS, file), 'utf8');
      const named = new Set([...text.matchAll(/\bedubridge_[a-z_]+/g)].map((m) => m[0]));
      expect(named.size, file).toBeGreaterThan(3);
      for (const name of named) expect(served, `${file}: ${name}`).toContain(familyOf(name, served));
    }
  });

  it('dashboard: valid JSON, every panel on the datasource variable', () => {
    const dashboard = JSON.parse(readFileSync(join(OPS, 'grafana', 'edubridge.json'), 'utf8')) as {
      templating: { list: Array<{ type: string; name: string }> };
      panels: Array<{ type: string; title: string; datasource?: { uid: string }; targets?: unknown[] }>;
    };
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ type: 'datasource', name: 'datasource' }),
    );
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThanOrEqual(12);
    for (const panel of graphs) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: DATASOURCE_VARIABLE });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });
});
