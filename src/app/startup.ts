/**
 * What `edubridge serve` checks before it listens: every setting a route will need, so that a
 * missing one is a one-line start-up error naming the variable, not a 500 on the first request
 * that needs it (a run asked for, a sync scheduled).
 */
import { type Config, ConfigError, type ConfigIssue, environment } from '../config/index.ts';
import { type AdapterCatalogue, loadSources } from '../pipeline/sources/index.ts';
import { c06GatewayOptions, targetsFromConfig } from '../targets/from-config.ts';

/** A school whose adapter or config cannot be used: the hub serves the others and says so. */
export interface SchoolSourceProblem {
  school: string;
  code: string;
  message: string;
}

/**
 * Throws a ConfigError naming every setting the API's routes need and cannot use. With the
 * adapters, each school's adapter is loaded and its config checked; the problems found are
 * returned, not thrown: one school's typo must not keep the district's hub down.
 */
export async function checkServeSettings(
  config: Config,
  adapters?: AdapterCatalogue,
): Promise<SchoolSourceProblem[]> {
  const problems: SchoolSourceProblem[] = [];
  const issues: ConfigIssue[] = [];
  try {
    // Builds each configured target's gateway client: a missing URL or credential says so here.
    targetsFromConfig(config);
  } catch (error) {
    issues.push(issueOf(error, 'CITY_EDUDB_GATEWAY_URL'));
  }
  try {
    // The identity routes' C06 checks, when C06 is configured at all.
    if (c06GatewayOptions(config)) {
      for (const variable of ['C06_OFFICIAL_ID', 'C06_UNIT_CODE'] as const) {
        if (!config[variable])
          issues.push({
            variable,
            expects: 'set when C06_GATEWAY_URL is: who asks C06 (MaCanBo, MaDonVi)',
            shown: 'unset',
          });
      }
    }
  } catch (error) {
    issues.push(issueOf(error, 'C06_GATEWAY_URL'));
  }
  try {
    const sources = await loadSources(config.SOURCES_FILE, {
      env: environment(),
      ...(adapters ? { adapters } : {}),
    });
    for (const [school, source] of Object.entries(sources)) {
      if (source.problem)
        problems.push({ school, code: source.problem.code, message: source.problem.message });
    }
  } catch (error) {
    issues.push({
      variable: 'SOURCES_FILE',
      expects: 'a readable sources file (JSON: each school’s adapter and its config)',
      shown: config.SOURCES_FILE,
      reason: (error as Error).message,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return problems;
}

/** The variable a target's settings error names (`… CITY_EDUDB_API_KEY is missing`), else `fallback`. */
function issueOf(error: unknown, fallback: string): ConfigIssue {
  const message = (error as Error).message;
  const named = /\b((?:CITY_EDUDB|SSC|C06)_[A-Z0-9_]+)\b/.exec(message)?.[1];
  return {
    variable: named ?? fallback,
    expects: 'set: the gateway settings of each target (see docs/settings.md)',
    shown: 'unset',
    reason: message,
  };
}
