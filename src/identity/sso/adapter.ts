/**
 * oidc-provider's storage over PostgreSQL (or PGlite): one row per model and id in `sso_payloads`.
 * The registered school applications live here too (model `Client`), their secret sealed under the
 * keyring and unsealed only when oidc-provider reads the client.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { type Keyring, seal, unseal } from '../../store/index.ts';
import { type RedirectUriCode, storedClientProblem } from './redirect-uris.ts';
import type { SsoDb } from './tables.ts';

/** Told when a stored school application is refused as it is read (the relay logs it). */
export type RefusedClientListener = (clientId: string, code: RedirectUriCode) => void;

// Models whose rows belong to a grant: revoking the grant (logout, a replayed code) deletes them.
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

export class KyselyAdapter implements Adapter {
  constructor(
    private readonly db: SsoDb,
    private readonly keyring: Keyring,
    private readonly model: string,
    private readonly onRefusedClient: RefusedClientListener = () => {},
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const { consumed, ...rest } = payload;
    let stored: Record<string, unknown> = rest;
    let sealed: Buffer | null = null;
    let keyId: string | null = null;
    if (this.model === 'Client' && typeof payload.client_secret === 'string') {
      const { client_secret, ...metadata } = stored;
      const box = seal(this.keyring, client_secret);
      stored = metadata;
      sealed = box.payload;
      keyId = box.keyId;
    }
    const row = {
      payload: JSON.stringify(stored),
      grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
      user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      expires_at: typeof expiresIn === 'number' ? new Date(Date.now() + expiresIn * 1000) : null,
      consumed_at: typeof consumed === 'number' ? new Date(consumed * 1000) : null,
      sealed,
      key_id: keyId,
    };
    await this.db
      .insertInto('sso_payloads')
      .values({ model: this.model, id, ...row })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
      .execute();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('id', id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('uid', uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.db
      .updateTable('sso_payloads')
      .set({ consumed_at: new Date() })
      .where('model', '=', this.model)
      .where('id', '=', id)
      .execute();
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom('sso_payloads').where('model', '=', this.model).where('id', '=', id).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db
      .deleteFrom('sso_payloads')
      .where('grant_id', '=', grantId)
      .where('model', 'in', [...GRANTABLE])
      .execute();
  }

  private async findWhere(
    column: 'id' | 'uid' | 'user_code',
    value: string,
  ): Promise<AdapterPayload | undefined> {
    const row = await this.db
      .selectFrom('sso_payloads')
      .select(['payload', 'consumed_at', 'sealed', 'key_id', 'expires_at'])
      .where('model', '=', this.model)
      .where(column, '=', value)
      .limit(1)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) return undefined;
    const payload: AdapterPayload = { ...(row.payload as AdapterPayload) };
    if (this.model === 'Client') {
      // A registration written before the redirect URI policy, or into the table by hand, is
      // refused as it is read: to oidc-provider the client does not exist (`invalid_client`), so
      // no code goes to a URI the policy forbids. Registering the app again fixes it.
      const problem = storedClientProblem(payload);
      if (problem) {
        this.onRefusedClient(value, problem);
        return undefined;
      }
    }
    if (row.consumed_at) payload.consumed = epoch(row.consumed_at);
    if (row.sealed && row.key_id) {
      payload.client_secret = unseal<string>(this.keyring, {
        payload: Buffer.from(row.sealed),
        keyId: row.key_id,
      });
    }
    return payload;
  }
}

export function adapterFactory(
  db: SsoDb,
  keyring: Keyring,
  onRefusedClient?: RefusedClientListener,
): (model: string) => Adapter {
  const cache = new Map<string, KyselyAdapter>();
  return (model) => {
    let adapter = cache.get(model);
    if (!adapter) {
      adapter = new KyselyAdapter(db, keyring, model, onRefusedClient);
      cache.set(model, adapter);
    }
    return adapter;
  };
}

/** Deletes rows that expired more than `graceMs` ago; returns how many. */
export async function purgeExpired(db: SsoDb, graceMs = 60_000): Promise<number> {
  const result = await db
    .deleteFrom('sso_payloads')
    .where('expires_at', '<', new Date(Date.now() - graceMs))
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
