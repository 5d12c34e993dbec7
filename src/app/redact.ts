/** What pino leaves out of every log line of the hub's processes. */
// pino matches `*.x` one level deep only, so the top-level keys are listed too; Fastify's request
// serializer leaves headers out, so `headers.*` covers the usual slip of logging `request.headers`.
// Redaction never reaches message strings or URLs: personal data must not be put there at all.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'req.headers["x-api-key"]',
  'headers["x-api-key"]',
  'personalId',
  '*.personalId',
  'password',
  '*.password',
  'secret',
  '*.secret',
];
