/**
 * JSON request bodies, parsed as Fastify parses them (secure-json-parse, refusing `__proto__` and
 * `constructor.prototype` as the instance is configured to) after one more check: how deeply the
 * text nests. A few hundred KiB of `{"a":` fit under BODY_LIMIT_BYTES and nest tens of thousands
 * deep; recursive code further on (JSON.stringify, validators, log serializers) then overflows the
 * stack, and the client got a 500 for what is its own mistake. The depth is read off the text in one
 * loop, without recursion and before any object is built, and an answer is 400 BODY_TOO_DEEP.
 */
import type { FastifyInstance } from 'fastify';
import { problem } from '../api/problem.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether a JSON text nests deeper than `max` (objects and arrays), strings skipped; stops at the
 * first level over. Malformed text is left to the parser: an unbalanced bracket only miscounts.
 *
 * @example
 * nestsDeeperThan('{"a":[1,{"b":2}]}', 2) // true: three levels
 * nestsDeeperThan('{"a":"[[[["}', 1) // false: brackets inside a string do not count
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * Replaces the app's `application/json` parser by Fastify's own behind the depth check. Register it
 * before the routes: plugins registered after take the app's parsers.
 *
 * @example
 * registerJsonBody(app, config.BODY_MAX_DEPTH);
 */
export function registerJsonBody(app: FastifyInstance, maxDepth: number): void {
  const { onProtoPoisoning, onConstructorPoisoning } = app.initialConfig;
  const parse = app.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (nestsDeeperThan(body as string, maxDepth)) {
      done(problem('BODY_TOO_DEEP', { limit: maxDepth }), undefined);
      return;
    }
    parse(request, body as string, done);
  });
}
