/**
 * Sandbox VNeID identity provider: an HTTP simulator of the national login in two personalities,
 * `dvcqg` (VNConnect, WSO2 IS style OIDC) and `vneid-direct` (C06 direct, encrypted bodies), for
 * the hub's SSO relay tests and the demo. See README.md beside this file.
 */

export { DIRECT_USERINFO_CLAIMS, directDiscovery } from './direct.ts';
export { DVCQG_USERINFO_CLAIMS, dvcqgDiscovery } from './dvcqg.ts';
export { startVneidSandbox } from './server.ts';
export {
  decryptCode,
  generateRelyingPartyKeys,
  openEnvelope,
  type RelyingPartyKeys,
  rawQueryParam,
  rsaPkcs1v15Decrypt,
  type VneidEnvelope,
} from './testing.ts';
export {
  type VneidAttack,
  type VneidCitizen,
  type VneidClient,
  VneidLoginError,
  type VneidPersonality,
  type VneidRequestRecord,
  type VneidSandbox,
  type VneidSandboxOptions,
} from './types.ts';
