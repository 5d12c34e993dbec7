/**
 * The identity parts as the settings make them: the C06 client through its gateway (when
 * C06_GATEWAY_URL is set), the check service, and the observer a sync run feeds with what it reads.
 */
import type { Config } from '../config/index.ts';
import { createGatewayClient } from '../gateway/index.ts';
import { createC06Client } from '../identity/c06/client.ts';
import { observeIdentities } from '../identity/registry.ts';
import { IdentityService } from '../identity/service.ts';
import type { CanonicalRecord } from '../model/index.ts';
import { hubError } from '../sdk/errors.ts';
import { type Database, type Keyring, renamePeople } from '../store/index.ts';
import { c06GatewayOptions } from '../targets/from-config.ts';

const DAY = 86_400_000;

export function identityServiceFromConfig(config: Config, db: Database, keyring: Keyring): IdentityService {
  const gateway = c06GatewayOptions(config);
  let c06: ReturnType<typeof createC06Client> | undefined;
  if (gateway) {
    if (!config.C06_OFFICIAL_ID || !config.C06_UNIT_CODE) {
      throw hubError('C06_NOT_CONFIGURED', {});
    }
    c06 = createC06Client({
      gateway: createGatewayClient(gateway),
      service: config.C06_SERVICE,
      requester: {
        serviceCode: config.C06_SERVICE_CODE,
        integrationCode: config.C06_INTEGRATION_CODE,
        officialId: config.C06_OFFICIAL_ID,
        unitCode: config.C06_UNIT_CODE,
        account: config.C06_ACCOUNT,
      },
      nameFormat: config.C06_NAME_FORMAT,
    });
  }
  return new IdentityService({
    db,
    keyring,
    ...(c06 ? { c06 } : {}),
    validForMs: config.IDENTITY_CHECK_VALID_DAYS * DAY,
  });
}

/**
 * What a run calls with each batch of valid records: registers the people and links; those new or
 * changed are left `unchecked`, and the identity worker's sweep queues their checks.
 */
export function identityObserver(
  db: Database,
  keyring: Keyring,
): (schoolCode: string, records: readonly CanonicalRecord[]) => Promise<void> {
  return async (_schoolCode, records) => {
    await observeIdentities(db, keyring, records, { due: false });
  };
}

/** What a run calls when the source changed keys: the people move with their records. */
export function identityRenamer(
  db: Database,
): (schoolCode: string, renames: ReadonlyArray<{ from: string; to: string }>) => Promise<void> {
  return (schoolCode, renames) => renamePeople(db, schoolCode, renames);
}
