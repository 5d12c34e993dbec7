import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.ts';
import { settingInfo } from './fields.ts';
import { type Config, configSchema } from './schema.ts';

export type Env = Record<string, string | undefined>;

export interface LoadConfigOptions {
  /** Where to look for `.env`; defaults to the process's working directory. */
  cwd?: string;
  /** `false` reads no `.env` file at all. */
  envFile?: string | false;
}

/**
 * Reads every setting from `env`, filling gaps from a `.env` file in `cwd`; a variable set in the
 * real environment always wins over the file. Throws one `ConfigError` naming every bad variable.
 *
 * @example
 * const config = loadConfig(); // process.env + ./.env
 * const config = loadConfig({ PORT: '9000' }, { envFile: false });
 */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  return loadSettings(configSchema, env, options);
}

/**
 * `loadConfig` for a part of the settings: a command that needs only a few (`edubridge validate`
 * needs the rule settings) reads them as the hub does, without requiring the rest to be valid.
 *
 * @example
 * const { TEXT_LIMITS } = loadSettings(ruleSettingsSchema);
 */
export function loadSettings<S extends z.ZodObject>(
  schema: S,
  env: Env = process.env,
  options: LoadConfigOptions = {},
): z.output<S> {
  const fromFile =
    options.envFile === false ? {} : readEnvFile(options.cwd ?? process.cwd(), options.envFile);
  return parseSettings(schema, { ...fromFile, ...env });
}

/**
 * The environment as the hub sees it: `env` over the `.env` file, as `loadConfig` reads settings.
 * Values the sources file takes by reference (`{"env": "NAME"}`) are read from it, so a secret kept
 * in `.env` beside the settings resolves the same way.
 */
export function environment(env: Env = process.env, options: LoadConfigOptions = {}): Env {
  const fromFile =
    options.envFile === false ? {} : readEnvFile(options.cwd ?? process.cwd(), options.envFile);
  return { ...fromFile, ...env };
}

/** Validates `env` against any object schema of settings; exported for schemas other than the hub's. */
export function parseSettings<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  const raw: Env = {};
  for (const name of Object.keys(schema.shape)) {
    const value = env[name];
    // `.env` templates leave blanks (`PORT=`): an empty value means "not set", not "set to nothing".
    raw[name] = value === '' ? undefined : value;
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;

  const issues = new Map<string, ConfigIssue>();
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? '');
    const field = schema.shape[variable] as z.ZodType | undefined;
    const info = field ? settingInfo.get(field) : undefined;
    const explains = info?.explains === true && info.secret !== true;
    const known = issues.get(variable);
    if (known) {
      if (explains) known.reason = `${known.reason}; ${issue.message}`;
      continue;
    }
    issues.set(variable, {
      variable,
      expects: info?.expects ?? issue.message,
      shown: showValue(raw[variable], info?.secret === true),
      ...(explains ? { reason: issue.message } : {}),
    });
  }
  throw new ConfigError([...issues.values()], { cause: result.error });
}

function showValue(value: string | undefined, secret: boolean): string {
  if (value === undefined) return 'not set';
  if (secret) return `got ${value.length} characters, not shown`;
  // A mistyped database URL still carries a real password.
  return `got ${JSON.stringify(value.replace(/\/\/[^/@\s]*@/, '//***@'))}`;
}

function readEnvFile(cwd: string, name = '.env'): Env {
  const path = join(cwd, name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError([{ variable: name, expects: 'a readable file', shown: (error as Error).message }], {
      cause: error,
    });
  }
  return parseDotenv(text);
}
