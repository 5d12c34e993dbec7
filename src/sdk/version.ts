/**
 * The version of the adapter contract this SDK implements. `defineAdapter` stamps it on every
 * adapter, so the hub knows which contract an adapter from outside was built for: the same major
 * version, and a minor no newer than the hub's, is compatible (a minor adds, never changes).
 */
export const SDK_VERSION = '1.0.0';

/**
 * True when an adapter built for SDK `built` runs on this SDK: the same major version and a minor
 * no newer than this one's (an adapter may not count on what this hub does not have yet).
 *
 * @example
 * sdkCompatible('1.0.0'); // true on SDK 1.x
 * sdkCompatible('2.0.0'); // false on SDK 1.x
 */
export function sdkCompatible(built: string, hub: string = SDK_VERSION): boolean {
  const parse = (v: string) => /^(\d+)\.(\d+)\.(\d+)/.exec(v)?.slice(1, 3).map(Number);
  const [a, h] = [parse(built), parse(hub)];
  if (!a || !h) return false;
  return a[0] === h[0] && a[1]! <= h[1]!;
}
