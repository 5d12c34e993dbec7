/**
 * Reads a query string by hand. Unlike URLSearchParams it keeps `+` as `+`: VNeID's codes are
 * base64 and are not always percent-encoded, so `+` is data, not a space.
 */
export function parseRawQuery(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of raw.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    const value = decode(eq === -1 ? '' : part.slice(eq + 1));
    if (name !== undefined && value !== undefined && !out.has(name)) out.set(name, value);
  }
  return out;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
