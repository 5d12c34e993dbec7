/**
 * The shape of an entry of the error catalogue (`src/model/error-catalogue.ts`). Kept apart from
 * the catalogue itself so that each section (`api.ts`, `sync.ts` …) can be typed against it
 * without importing the whole.
 */

/**
 * What sort of failure a code is, which decides what the hub does with it and who is told:
 * - `permanent`: trying again as it is cannot succeed (a refusal, a broken contract);
 * - `transient`: may pass; tried again with backoff, each try counted;
 * - `unavailable`: the other side (a target, the gateway, a source, a store) could not be reached
 *   or did not answer at all; tried again without counting a try against the request, since an
 *   outage is nobody's mistake in it (the push step keeps an outage clock instead);
 * - `throttled`: a quota said "later"; waited out as told, never counted;
 * - `configuration`: a setting, a key or a file of the hub's is missing or wrong; nothing passes
 *   until a person fixes it;
 * - `bad-input`: what a person or a program gave (a flag, a request, a file, a record) is wrong.
 *
 * `unavailable` is a kind of its own rather than a flag on `transient` because the hub treats it
 * differently everywhere it matters (no attempt spent, an outage limit, its own retry delays).
 */
export type ErrorKind =
  | 'permanent'
  | 'transient'
  | 'unavailable'
  | 'throttled'
  | 'configuration'
  | 'bad-input';

/**
 * Who acts on it:
 * - `school`: staff at the school fix data in their software (or a file they gave);
 * - `vendor`: the school software's vendor fixes its API or export;
 * - `city`: a person at the city's systems (city Education DB, SSC, the LGSP gateway, C06, VNeID);
 * - `district-it`: whoever runs the hub: settings, keys, credentials, the network, the command line;
 * - `hub`: a bug in EduBridge: report it with the code and the message.
 */
export type ErrorActor = 'school' | 'vendor' | 'city' | 'district-it' | 'hub';

/** A text in Vietnamese and in English. */
export interface Bilingual {
  vi: string;
  en: string;
}

export interface ErrorEntry {
  kind: ErrorKind;
  /**
   * The HTTP status of the API's problem answer when this code surfaces there; for a code that
   * never reaches the API, the status it would have (a route passing another system's error on
   * may still choose its own, e.g. 409 for a payment SSC refused).
   */
  status: number;
  actor: ErrorActor;
  /** The problem in a few words, the same every time: an RFC 9457 `title`. */
  title: Bilingual;
  /** One occurrence, with `{name}` where a value goes: the `detail`, an error's `message`. */
  message: Bilingual;
  /** What the actor does about it. */
  action: Bilingual;
  /** The names of the values `message` takes, in both languages (a test checks it). */
  values?: readonly string[];
  /** `target`: a code a target (the city Education DB, SSC) gives, which the hub passes on as is. */
  origin?: 'target';
}

/** A family of codes built from a template (`HTTP_{status}`), recognised by `match`. */
export interface ErrorPattern extends ErrorEntry {
  /** The family as the docs show it, e.g. `HTTP_4xx`. */
  pattern: string;
  match: RegExp;
}

/** A value of a message: text, a number, or text that differs by language. */
export type ErrorValue = string | number | Bilingual;

export type ErrorValues = Readonly<Record<string, ErrorValue>>;
