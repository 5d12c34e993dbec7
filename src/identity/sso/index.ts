/**
 * SSO relay: EduBridge is the OpenID Provider of the school applications (under `/sso`) and a
 * relying party of VNeID, through DVCQG or directly.
 */
export {
  REFUSALS,
  type RefusalReason,
  refusalCode,
  SsoClientInputError,
  SsoConfigError,
  SsoError,
  SsoRefusal,
} from './errors.ts';
export { DEFAULT_SCOPE, MOUNT_PATH, SCOPES } from './provider.ts';
export {
  checkRedirectUris,
  LOOPBACK_HOSTS,
  type RedirectUriCode,
  type RedirectUriList,
  type RedirectUriProblem,
  redirectUriError,
  redirectUriProblem,
} from './redirect-uris.ts';
export { createSsoAdmin, createSsoRelay } from './service.ts';
export {
  type AccountClaims,
  type AccountResolution,
  type AddClientInput,
  type AddedClient,
  DEFAULT_ALLOWED_ROLES,
  type DvcqgUpstreamOptions,
  type ResolvedAccount,
  ROLES,
  type Role,
  type SsoAdmin,
  type SsoAdminOptions,
  type SsoAuditEntry,
  type SsoClientPolicy,
  type SsoLogger,
  type SsoRelay,
  type SsoRelayOptions,
  type UpstreamCitizen,
  type UpstreamOptions,
  type UpstreamPersonality,
  type VneidDirectUpstreamOptions,
} from './types.ts';
