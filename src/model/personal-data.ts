/**
 * Marks on schema fields that hold personal data, so later layers (logs, queues, storage, exports)
 * can redact, encrypt and minimise by the mark instead of by a hand-kept list of field names.
 *
 * Classes follow Decree 356/2025/NĐ-CP: *basic* personal data (name, birth date, gender, ID number,
 * phone, family relationships …) and *sensitive* personal data (ethnic origin, health, biometrics,
 * financial data …). Sensitive fields get stronger handling (encryption at rest, explicit purpose).
 */
import { z } from 'zod';

export type PersonalDataClass = 'personal' | 'sensitive';

export interface PersonalDataMark {
  class: PersonalDataClass;
  /** Why the field is classed so, for the processing register. */
  note?: string;
}

export const personalDataRegistry = z.registry<PersonalDataMark>();

/** Marks a schema as holding basic personal data. */
export function personal<T extends z.ZodType>(schema: T, note?: string): T {
  personalDataRegistry.add(schema, note ? { class: 'personal', note } : { class: 'personal' });
  return schema;
}

/** Marks a schema as holding sensitive personal data. */
export function sensitive<T extends z.ZodType>(schema: T, note?: string): T {
  personalDataRegistry.add(schema, note ? { class: 'sensitive', note } : { class: 'sensitive' });
  return schema;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (personalDataRegistry.has(current)) return current;
    const def = (current as { def?: { type?: string; innerType?: z.ZodType } }).def;
    if (def?.innerType && (def.type === 'optional' || def.type === 'nullable' || def.type === 'default')) {
      current = def.innerType;
      continue;
    }
    return current;
  }
}

/**
 * Every marked field of an object schema, by dotted path (`guardians[].personalId`).
 *
 * @example
 * ```ts
 * personalDataFields(StudentSchema)['ethnicityCode'] // { class: 'sensitive', … }
 * ```
 */
export function personalDataFields(schema: z.ZodType, prefix = ''): Record<string, PersonalDataMark> {
  const out: Record<string, PersonalDataMark> = {};
  const inner = unwrap(schema);
  const mark = personalDataRegistry.get(inner);
  if (mark && prefix) out[prefix] = mark;
  const def = (inner as { def?: { type?: string; element?: z.ZodType; shape?: Record<string, z.ZodType> } })
    .def;
  if (def?.type === 'object' && def.shape) {
    for (const [key, child] of Object.entries(def.shape)) {
      Object.assign(out, personalDataFields(child, prefix ? `${prefix}.${key}` : key));
    }
  } else if (def?.type === 'array' && def.element) {
    Object.assign(out, personalDataFields(def.element, `${prefix}[]`));
  }
  return out;
}
