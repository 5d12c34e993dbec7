/** Small readers for VNeID's claim values, which come as strings, numbers or arrays. */

/** `19880219` (or `1988-02-19`) → `1988-02-19`; undefined when it is not a real date. */
export function isoDate(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (
    date.getUTCFullYear() !== Number(y) ||
    date.getUTCMonth() !== Number(mo) - 1 ||
    date.getUTCDate() !== Number(d)
  ) {
    return undefined;
  }
  return `${y}-${mo}-${d}`;
}

/** `LoA2`, `"2"`, `2` → 2; `LoA1`, `"1"`, `1` → 1; a list → its highest; anything else → undefined. */
export function levelOf(value: unknown): 1 | 2 | undefined {
  if (Array.isArray(value)) {
    const levels = value.map(levelOf).filter((l): l is 1 | 2 => l !== undefined);
    return levels.length === 0 ? undefined : (Math.max(...levels) as 1 | 2);
  }
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const m = /^(?:loa)?\s*([0-9]+)$/i.exec(String(value).trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n >= 2) return 2;
  if (n === 1) return 1;
  return undefined;
}

/** A non-empty string claim, trimmed. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** An ID number as VNeID sends it: a string of digits (a JSON number would have lost leading zeros). */
export function personalIdOf(value: unknown): string | undefined {
  const t = text(value);
  return t && /^[0-9]{9,12}$/.test(t) ? t : undefined;
}

/** `1`, `"1"` → `"1"`: account types compare as text. */
export function codeOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return text(value);
}
