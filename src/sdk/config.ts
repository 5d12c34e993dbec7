/**
 * Adapter configuration: a zod schema the adapter declares, with secret fields marked so the hub
 * never logs, stores in clear or echoes them back.
 */
import { z } from 'zod';
import { hubError } from './errors.ts';

export const secretRegistry = z.registry<{ secret: true }>();

/**
 * Marks a config field as a secret (API key, password, client secret): redacted in logs, reports
 * and API answers.
 *
 * @example
 * ```ts
 * const configSchema = z.object({ baseUrl: z.url(), apiKey: secret(z.string().min(1)) });
 * ```
 */
export function secret<T extends z.ZodType>(schema: T): T {
  secretRegistry.add(schema, { secret: true });
  return schema;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (secretRegistry.has(current)) return current;
    const def = (current as { def?: { type?: string; innerType?: z.ZodType } }).def;
    if (def?.innerType && ['optional', 'nullable', 'default', 'prefault'].includes(def.type ?? '')) {
      current = def.innerType;
      continue;
    }
    return current;
  }
}

/** Dotted paths of every secret field of a config schema (nested objects included). */
export function secretFields(schema: z.ZodType, prefix = ''): string[] {
  const inner = unwrap(schema);
  if (secretRegistry.has(inner)) return [prefix];
  const def = (inner as { def?: { type?: string; shape?: Record<string, z.ZodType>; options?: z.ZodType[] } })
    .def;
  // A discriminated auth config (API key | basic | OAuth2): the secrets of every branch.
  if (def?.type === 'union' && def.options) {
    return [...new Set(def.options.flatMap((option) => secretFields(option, prefix)))];
  }
  if (def?.type !== 'object' || !def.shape) return [];
  return Object.entries(def.shape).flatMap(([key, child]) =>
    secretFields(child, prefix ? `${prefix}.${key}` : key),
  );
}

/**
 * A copy of `config` with every secret replaced by `***`, safe to log or show.
 *
 * @example
 * ```ts
 * ctx.logger.info('config', redactConfig(configSchema, config)); // { baseUrl: 'https://…', apiKey: '***' }
 * ```
 */
export function redactConfig<T>(schema: z.ZodType, config: T): T {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const path of secretFields(schema)) {
    const parts = path.split('.');
    let node: Record<string, unknown> | undefined = copy;
    for (const part of parts.slice(0, -1)) node = node?.[part] as Record<string, unknown> | undefined;
    const last = parts.at(-1)!;
    if (node && node[last] !== undefined) node[last] = '***';
  }
  return copy as T;
}

/** Every secret value in a config, to make sure none leaks into a message. */
export function secretValues(schema: z.ZodType, config: unknown): string[] {
  return secretFields(schema).flatMap((path) => {
    let node: unknown = config;
    for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
    return typeof node === 'string' && node.length > 0 ? [node] : [];
  });
}

/**
 * Parses an adapter's config, throwing one `PermanentError` (`CONFIG_INVALID`) that names each
 * wrong field and what it expects, never the values (they may be secrets).
 *
 * @example
 * ```ts
 * const config = parseAdapterConfig(adapter.configSchema, JSON.parse(text), adapter.id);
 * ```
 */
export function parseAdapterConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  adapterId: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`)
    .join('; ');
  throw hubError('CONFIG_INVALID', {
    issues: { vi: `adapter ${adapterId}: ${fields}`, en: `adapter ${adapterId}: ${fields}` },
  });
}

/**
 * `message` with every secret value of `config` replaced by `***`.
 *
 * @example
 * ```ts
 * throw new PermanentError('AUTH_REFUSED', scrubSecrets(`SMAS refused ${url}`, configSchema, config));
 * ```
 */
export function scrubSecrets(message: string, schema: z.ZodType, config: unknown): string {
  let out = message;
  for (const value of secretValues(schema, config)) if (value.length > 0) out = out.split(value).join('***');
  return out;
}
