/**
 * The version of the adapter contract this SDK implements. `defineAdapter` stamps it on every
 * adapter, so the hub knows which contract an adapter from outside was built for: the same major
 * version, and a minor no newer than the hub's, is compatible (a minor adds, never changes).
 */
export const SDK_VERSION = '1.0.0';
