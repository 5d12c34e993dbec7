import { z } from 'zod';

/** What a setting expects, in words an operator reads in the start-up error. */
export interface SettingInfo {
  expects: string;
  /** Never echo the value back: it is a password, key or token. */
  secret?: boolean;
  /**
   * The schema's own messages say what is wrong (which key, which number), and are added after the
   * value: a JSON setting is too rich for `expects` alone to point at the fault.
   */
  explains?: boolean;
}

// A private registry rather than `.meta()`: zod's global registry also feeds the OpenAPI components,
// and settings have no business there.
export const settingInfo = z.registry<SettingInfo>();

export function setting<T extends z.ZodType>(schema: T, info: SettingInfo): T {
  settingInfo.add(schema, info);
  return schema;
}

/**
 * A whole number written in decimal digits only: `z.coerce.number()` would also accept "0x50",
 * "1e3" and " 80 ", which nobody means in an environment variable.
 */
export function integer(min: number, max: number) {
  return z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));
}

/** A URL whose scheme is one of `schemes` (without the colon). */
export function urlWithScheme(...schemes: string[]) {
  return z.url({ protocol: new RegExp(`^(${schemes.join('|')})$`) });
}
