/**
 * What the relay may say about an error in a log line: its name and code, and its message with
 * every run of nine or more digits blanked (an ID number has twelve). Never the error object: the
 * errors of openid-client carry the upstream ID token's claims.
 */
export function errorFields(error: unknown): { code: string; message?: string } {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'unknown';
  if (typeof e?.message !== 'string') return { code };
  return { code, message: e.message.replace(/\d{9,}/g, '[number]').slice(0, 300) };
}
