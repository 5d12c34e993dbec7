import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AUDIT_CHAINS, audit, chainOf, verifyAuditChain } from './audit.ts';
import { contentHash } from './content-hash.ts';
import { blindIndex, encryptPersonalId, generateDataKey, type Keyring, loadKeyring } from './crypto.ts';
import { createDatabase, type Database } from './db.ts';
import { peopleByKeys, peopleByPersonalId, recordCheck, registerPeople } from './identity.ts';
import { applyTargetResults, diffAgainstLedger, keysNotSeen } from './ledger.ts';
import { MIGRATIONS, migrateToLatest, migrationStatus } from './migrate.ts';
import { identityDocument, rotateKeys } from './persons.ts';
import { seal } from './sealed.ts';

// The same specification against a real PostgreSQL (a database of its own, dropped afterwards) and
// against in-memory PGlite.
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Backend {
  name: string;
  url?: string;
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

function postgresBackend(): Backend {
  const dbName = `edubridge_test_${randomBytes(6).toString('hex')}`;
  const admin = () => new pg.Client({ connectionString: ADMIN_URL });
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  return {
    name: 'PostgreSQL',
    url: url.toString(),
    async open() {
      const client = admin();
      await client.connect();
      await client.query(`create database ${dbName}`);
      await client.end();
      return createDatabase({ DATABASE_URL: url.toString() });
    },
    async cleanup() {
      const client = admin();
      await client.connect();
      await client.query(`drop database if exists ${dbName} with (force)`);
      await client.end();
    },
  };
}

const pgliteBackend: Backend = {
  name: 'PGlite',
  open: () => createDatabase({}),
  cleanup: async () => {},
};

const silent = () => {};
const BLIND = randomBytes(32).toString('base64');
const K1 = generateDataKey('k1');
const K2 = generateDataKey('k2');
const keyringOf = (dataKeys: string): Keyring =>
  loadKeyring({ DATA_KEYS: dataKeys, BLIND_INDEX_KEY: BLIND }, silent);

describe.each([postgresBackend(), pgliteBackend])('store on $name', (backend) => {
  let db: Database;

  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
    await backend.cleanup();
  });

  describe('migrations', () => {
    test('apply from an empty database, then have nothing left to do', async () => {
      expect((await migrationStatus(db)).map((m) => m.executedAt)).toEqual(
        Object.keys(MIGRATIONS).map(() => null),
      );
      expect(await migrateToLatest(db)).toEqual({ applied: Object.keys(MIGRATIONS) });
      expect(await migrateToLatest(db)).toEqual({ applied: [] });
      const status = await migrationStatus(db);
      expect(status.map((m) => m.name)).toEqual([
        '0001_init',
        '0002_staged_batches',
        '0003_steps_outbox',
        '0004_payments',
        '0005_identity',
        '0006_sso',
        '0007_payment_writeback',
        '0008_lean_person_indexes',
        '0009_fenced_steps',
        '0010_dead_letter_occurrences',
        '0011_audit_chains',
        '0012_stream_last_runs',
        '0013_education_facts',
        '0014_replay_requests',
        '0015_source_hashes',
        '0016_ledger_run_index',
        '0017_persons_school_role',
      ]);
      expect(status.every((m) => m.executedAt instanceof Date)).toBe(true);
    });

    test('create every table', async () => {
      const { rows } = await sql<{ table_name: string }>`
        select table_name from information_schema.tables
        where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(
        db.kysely,
      );
      expect(rows.map((r) => r.table_name)).toEqual([
        'api_keys',
        'audit_log',
        'checkpoints',
        'dead_letters',
        'education_classes',
        'education_levels',
        'education_results',
        'education_students',
        'guardian_links',
        'identity_checks',
        'ledger',
        'lineage',
        'outbox',
        'payments',
        'persons',
        'replay_requests',
        'run_rule_records',
        'runs',
        'schedules',
        'sso_payloads',
        'sso_signing_keys',
        'staged_batches',
        'stream_last_runs',
      ]);
    });
  });

  describe('audit_log', () => {
    test('accepts new entries but refuses UPDATE and DELETE', async () => {
      await db.kysely
        .insertInto('audit_log')
        .values({
          actor: 'key:abc',
          role: 'district',
          action: 'runs.create',
          resource: 'school/79000001',
          decision: 'allow',
          detail: JSON.stringify({ streams: ['students'] }),
        })
        .execute();
      await expect(db.kysely.updateTable('audit_log').set({ decision: 'deny' }).execute()).rejects.toThrow(
        /append-only/,
      );
      await expect(db.kysely.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
      const rows = await db.kysely.selectFrom('audit_log').select(['decision', 'detail']).execute();
      expect(rows).toEqual([{ decision: 'allow', detail: { streams: ['students'] } }]);
    });

    // The first test left one entry written before the chain (no hash): it is counted, not judged.
    const entry = (n: number) => ({
      actor: `key:${n}`,
      role: 'district',
      action: 'identity:check',
      resource: `person/${n}`,
      decision: 'allow' as const,
      detail: { school: '79000001', purpose: 'enrolment', n, nested: { b: 1, a: [2, 3] } },
    });

    test('chains every entry to the one before in its chain, and every chain verifies', async () => {
      for (let n = 1; n <= 12; n++) await audit(db, entry(n));
      const report = await verifyAuditChain(db, { pageSize: 5 });
      expect(report).toEqual({ checked: 13, unchained: 1 });
      const rows = await db.kysely
        .selectFrom('audit_log')
        .select(['id', 'actor', 'chain', 'prev_hash', 'hash'])
        .where('hash', 'is not', null)
        .orderBy('id')
        .execute();
      expect(rows).toHaveLength(12);
      // Twelve actors over the chains: more than one chain is in use, each an actor's own hash.
      expect(new Set(rows.map((r) => r.chain)).size).toBeGreaterThan(1);
      for (const r of rows) {
        expect(r.chain).toBe(chainOf(r.actor));
        expect(r.chain).toBeLessThan(AUDIT_CHAINS);
      }
      const last = new Map<number, Buffer>();
      for (const r of rows) {
        expect(r.prev_hash ?? null).toEqual(last.get(r.chain) ?? null);
        last.set(r.chain, r.hash!);
      }
    });

    // PGlite has one connection: there, one transaction waits for another whatever the chain.
    test.skipIf(backend.name === 'PGlite')(
      'a writer holding one chain does not hold up another chain; it does hold up its own',
      async () => {
        const [a, b] = actorsInDistinctChains();
        const sameAsA = actorInChain(chainOf(a), a);
        let release!: () => void;
        const held = new Promise<void>((r) => {
          release = r;
        });
        // One transaction appends for `a` and keeps its chain's lock until released.
        const holder = db.kysely.transaction().execute(async (trx) => {
          await audit(trx as never, { ...entry(90), actor: a });
          await held;
        });
        await sleep(100);
        const other = await Promise.race([
          audit(db, { ...entry(91), actor: b }).then(() => 'written'),
          sleep(2_000).then(() => 'waiting'),
        ]);
        expect(other).toBe('written');
        let sameDone = false;
        const same = audit(db, { ...entry(92), actor: sameAsA }).then(() => {
          sameDone = true;
        });
        await sleep(300);
        expect(sameDone).toBe(false);
        release();
        await holder;
        await same;
        expect(sameDone).toBe(true);
        expect((await verifyAuditChain(db)).broken).toBeUndefined();
      },
    );

    test('entries written concurrently still form whole chains', async () => {
      const before = (await verifyAuditChain(db)).checked;
      // Same actor: all six race for one chain's lock.
      await Promise.all([20, 21, 22, 23, 24, 25].map((n) => audit(db, { ...entry(n), actor: 'key:same' })));
      expect(await verifyAuditChain(db)).toEqual({ checked: before + 6, unchained: 1 });
    });

    test('shows an entry edited behind the trigger, and one deleted behind it', async () => {
      const victim = await db.kysely
        .selectFrom('audit_log')
        .select(['id'])
        .where('resource', '=', 'person/5')
        .executeTakeFirstOrThrow();
      await sql`alter table audit_log disable trigger audit_log_no_update_delete`.execute(db.kysely);
      try {
        await sql`update audit_log set decision = 'deny' where id = ${victim.id}`.execute(db.kysely);
        expect((await verifyAuditChain(db)).broken).toMatchObject({
          id: String(victim.id),
          reason: 'content_changed',
        });
        await sql`update audit_log set decision = 'allow' where id = ${victim.id}`.execute(db.kysely);
        expect((await verifyAuditChain(db)).broken).toBeUndefined();

        // Its chain's next entry links to it no more (the entry after it by id may be another chain's).
        const victimChain = chainOf('key:5');
        await audit(db, { ...entry(99), actor: actorInChain(victimChain, 'key:5') });
        const next = await db.kysely
          .selectFrom('audit_log')
          .select(['id'])
          .where('chain', '=', victimChain)
          .where('id', '>', victim.id)
          .orderBy('id')
          .limit(1)
          .executeTakeFirstOrThrow();
        await sql`delete from audit_log where id = ${victim.id}`.execute(db.kysely);
        expect((await verifyAuditChain(db)).broken).toMatchObject({
          id: String(next.id),
          reason: 'link_broken',
        });
      } finally {
        await sql`alter table audit_log enable trigger audit_log_no_update_delete`.execute(db.kysely);
      }
    });
  });

  describe('persons', () => {
    test('registers people once: only the new and the changed come back for a check, and a change resets the status', async () => {
      const keyring = keyringOf(K1);
      const people = [
        {
          schoolCode: 'S7',
          role: 'student' as const,
          recordKey: 'hs-1',
          personalId: '079213001111',
          facts: {
            fullName: 'Nguyễn Thị Hoà',
            birthDate: '2013-04-02',
            gender: 'female' as const,
            code: 'HS1',
          },
        },
        {
          schoolCode: 'S7',
          role: 'teacher' as const,
          recordKey: 'gv-1',
          personalId: '079085002222',
          facts: { fullName: 'Lê Văn Tám', code: 'GV1' },
        },
      ];
      const first = await registerPeople(db, keyring, people);
      expect(first.toCheck.map((p) => p.hasPersonalId)).toEqual([true, true]);
      expect((await registerPeople(db, keyring, people)).toCheck).toEqual([]);
      const [student] = await peopleByKeys(db, keyring, 'S7', ['hs-1']);
      expect(student).toMatchObject({ role: 'student', personalId: '079213001111', status: 'unchecked' });
      expect(student!.facts).toEqual(people[0]!.facts);
      // One seal a person: the ID is inside the facts' seal, its own column stays empty.
      const sealedRow = await db.kysely
        .selectFrom('persons')
        .select(['personal_id_cipher', 'personal_id_key_id', 'facts', 'facts_key_id'])
        .where('school_code', '=', 'S7')
        .where('record_key', '=', 'hs-1')
        .executeTakeFirstOrThrow();
      expect(sealedRow).toMatchObject({
        personal_id_cipher: null,
        personal_id_key_id: null,
        facts_key_id: 'k1',
      });
      expect(Buffer.from(sealedRow.facts!).toString('latin1')).not.toContain('079213001111');
      await recordCheck(db, {
        personId: student!.id,
        method: 'c06',
        result: 'verified',
        requestedBy: 'cli:test',
        purpose: 'test',
        validUntil: null,
      });
      const renamed = [
        { ...people[0]!, facts: { ...people[0]!.facts, fullName: 'Nguyễn Thị Hòa' } },
        people[1]!,
      ];
      const second = await registerPeople(db, keyring, renamed);
      expect(second.toCheck.map((p) => p.id)).toEqual([student!.id]);
      expect((await peopleByKeys(db, keyring, 'S7', ['hs-1']))[0]).toMatchObject({
        status: 'unchecked',
        statusMethod: null,
      });
      const raw = await db.kysely
        .selectFrom('persons')
        .select(['facts'])
        .where('record_key', '=', 'hs-1')
        .executeTakeFirstOrThrow();
      expect(Buffer.from(raw.facts!).toString('utf8')).not.toContain('Nguy');

      // Rotation reseals the facts too, and they stay readable under the new key alone.
      const rotated = keyringOf(`${K2},${K1}`);
      const counts = await rotateKeys(db, rotated);
      expect(counts.resealedFacts).toBe(2);
      const after = await peopleByKeys(db, keyringOf(K2), 'S7', ['hs-1', 'gv-1']);
      expect(after.map((p) => p.facts?.code).sort()).toEqual(['GV1', 'HS1']);
      expect(after.map((p) => p.personalId).sort()).toEqual(['079085002222', '079213001111']);
      // The rotation test below counts every row of the table.
      await db.kysely.deleteFrom('persons').where('school_code', '=', 'S7').execute();
    });

    /** A row as they were written before the ID moved into the identity document: sealed apart. */
    async function legacyRow(
      keyring: Keyring,
      row: { schoolCode: string; recordKey: string; personalId: string; facts: object },
    ): Promise<void> {
      const id = encryptPersonalId(keyring, row.personalId);
      const facts = seal(keyring, row.facts);
      await db.kysely
        .insertInto('persons')
        .values({
          school_code: row.schoolCode,
          record_key: row.recordKey,
          role: 'student',
          personal_id_cipher: id.cipher,
          personal_id_key_id: id.keyId,
          personal_id_index: blindIndex(keyring, row.personalId),
          facts: facts.payload,
          facts_key_id: facts.keyId,
        })
        .execute();
    }

    test('a row with the ID in its own column is read as it is, and sealed once when the person changes', async () => {
      const keyring = keyringOf(K1);
      const facts = {
        fullName: 'Phạm Văn Tư',
        birthDate: '2013-04-05',
        gender: 'male' as const,
        code: 'HS8',
      };
      await legacyRow(keyring, { schoolCode: 'S8', recordKey: 'hs-8', personalId: '079213008888', facts });
      try {
        const [before] = await peopleByKeys(db, keyring, 'S8', ['hs-8']);
        expect(before).toMatchObject({ personalId: '079213008888', facts });
        expect((await peopleByPersonalId(db, keyring, '079213008888')).map((p) => p.recordKey)).toEqual([
          'hs-8',
        ]);

        const moved = { ...facts, fullName: 'Phạm Văn Tứ' };
        await registerPeople(db, keyring, [
          { schoolCode: 'S8', role: 'student', recordKey: 'hs-8', personalId: '079213008888', facts: moved },
        ]);
        const row = await db.kysely
          .selectFrom('persons')
          .select(['personal_id_cipher', 'personal_id_key_id'])
          .where('school_code', '=', 'S8')
          .executeTakeFirstOrThrow();
        expect(row).toEqual({ personal_id_cipher: null, personal_id_key_id: null });
        expect((await peopleByKeys(db, keyring, 'S8', ['hs-8']))[0]).toMatchObject({
          personalId: '079213008888',
          facts: moved,
        });

        // A key DATA_KEYS no longer lists is counted whichever seal it is under.
        const other = seal(keyringOf(K2), identityDocument('079213008888', moved));
        await db.kysely
          .updateTable('persons')
          .set({ facts: other.payload, facts_key_id: 'k9' })
          .where('school_code', '=', 'S8')
          .execute();
        expect((await rotateKeys(db, keyring)).unknownKeyRows).toBe(1);
      } finally {
        await db.kysely.deleteFrom('persons').where('school_code', '=', 'S8').execute();
      }
    });

    test('stores the ID sealed and finds the person by it through the blind index', async () => {
      const keyring = keyringOf(K1);
      const student = (recordKey: string, personalId: string | null) => ({
        schoolCode: 'S1',
        role: 'student' as const,
        recordKey,
        personalId,
        facts: { fullName: `Học sinh ${recordKey}`, birthDate: '2013-01-02', code: recordKey },
      });
      await registerPeople(db, keyring, [
        student('st-1', '079203001234'),
        student('st-2', '079203009999'),
        student('st-3', null),
      ]);
      try {
        const raw = await db.kysely
          .selectFrom('persons')
          .select(['facts', 'facts_key_id', 'personal_id_index'])
          .where('school_code', '=', 'S1')
          .where('record_key', '=', 'st-1')
          .executeTakeFirstOrThrow();
        expect(Buffer.from(raw.facts!).toString('latin1')).not.toContain('079203001234');
        expect(raw.facts_key_id).toBe('k1');
        expect(Buffer.from(raw.personal_id_index!)).toEqual(blindIndex(keyring, '079203001234'));
        const found = await peopleByPersonalId(db, keyring, '079203001234');
        expect(found.map((p) => [p.schoolCode, p.recordKey, p.personalId])).toEqual([
          ['S1', 'st-1', '079203001234'],
        ]);
        expect(await peopleByPersonalId(db, keyring, '079203001234', ['S2'])).toEqual([]);
        expect((await peopleByKeys(db, keyring, 'S1', ['st-3']))[0]?.personalId).toBeNull();
      } finally {
        await db.kysely.deleteFrom('persons').where('school_code', '=', 'S1').execute();
      }
    });

    test('rotation reseals every identity under the current key, counts them, and keeps them readable', async () => {
      const old = keyringOf(K2);
      const people = Array.from({ length: 2_500 }, (_, i) => ({
        schoolCode: 'S9',
        role: 'student' as const,
        recordKey: `p-${i}`,
        personalId: `0012030${String(i).padStart(5, '0')}`,
        facts: { fullName: `Người ${i}`, code: `P${i}` },
      }));
      await registerPeople(db, old, people);
      // One row as written before the ID moved into the document: two seals to rewrite.
      await legacyRow(old, {
        schoolCode: 'S9',
        recordKey: 'legacy',
        personalId: '001203099999',
        facts: { fullName: 'Người cũ', code: 'OLD' },
      });
      try {
        const rotated = keyringOf(`${K1},${K2}`);
        // Before rotating, the new keyring already reads old rows by their key id.
        expect((await peopleByPersonalId(db, rotated, '001203000042'))[0]?.recordKey).toBe('p-42');

        const counts = await rotateKeys(db, rotated, { batchSize: 1_000 });
        expect(counts).toEqual({
          reencrypted: 2_502,
          byOldKeyId: { k2: 2_502 },
          unknownKeyRows: 0,
          // One batch for the one ID in its own column, three for the 2,501 documents.
          batches: 4,
          resealedFacts: 2_501,
        });
        const byKey = await db.kysely
          .selectFrom('persons')
          .select(['facts_key_id', 'personal_id_key_id', (eb) => eb.fn.countAll<string>().as('n')])
          .where('school_code', '=', 'S9')
          .groupBy(['facts_key_id', 'personal_id_key_id'])
          .orderBy('personal_id_key_id')
          .execute();
        expect(byKey.map((r) => [r.facts_key_id, r.personal_id_key_id, Number(r.n)])).toEqual([
          ['k1', 'k1', 1],
          ['k1', null, 2_500],
        ]);
        // Readable without the old key now.
        const current = keyringOf(K1);
        const found = await peopleByPersonalId(db, current, '001203002499');
        expect(found.map((p) => [p.recordKey, p.personalId, p.facts?.code])).toEqual([
          ['p-2499', '001203002499', 'P2499'],
        ]);
        expect((await peopleByKeys(db, current, 'S9', ['legacy']))[0]).toMatchObject({
          personalId: '001203099999',
          facts: { fullName: 'Người cũ', code: 'OLD' },
        });
        expect(await rotateKeys(db, rotated)).toMatchObject({ reencrypted: 0, batches: 0 });
      } finally {
        await db.kysely.deleteFrom('persons').where('school_code', '=', 'S9').execute();
      }
    });
  });

  describe('ledger', () => {
    const target = 'city-edu-db';
    const stream = 'students';
    const hashOf = (i: number, version = 1) => contentHash({ id: i, version }, 'student@1');
    const N = 10_000;

    test('diffs 10,000 records exactly: created, updated, unchanged', async () => {
      const runId = randomUUID();
      // The target already holds 0..5999; 0..499 in an older version.
      await applyTargetResults(db, {
        target,
        stream,
        schoolCode: 'S1',
        runId,
        results: Array.from({ length: 6_000 }, (_, i) => ({
          key: `st-${i}`,
          hash: hashOf(i, i < 500 ? 0 : 1),
          accepted: true,
        })),
      });
      const diff = await diffAgainstLedger(db, {
        target,
        stream,
        schoolCode: 'S1',
        entries: Array.from({ length: N }, (_, i) => ({ key: `st-${i}`, hash: hashOf(i) })),
      });
      expect(diff.created.length).toBe(4_000);
      expect(new Set(diff.created)).toEqual(
        new Set(Array.from({ length: 4_000 }, (_, i) => `st-${6_000 + i}`)),
      );
      expect(new Set(diff.updated)).toEqual(new Set(Array.from({ length: 500 }, (_, i) => `st-${i}`)));
      expect(diff.unchanged).toBe(5_500);
    });

    test('writes only the records the target accepted', async () => {
      const runId = randomUUID();
      const { written } = await applyTargetResults(db, {
        target: 'ssc',
        stream,
        schoolCode: 'S1',
        runId,
        results: [
          { key: 'a', hash: hashOf(1), accepted: true, targetVersion: '7' },
          { key: 'b', hash: hashOf(2), accepted: false },
        ],
      });
      expect(written).toBe(1);
      const rows = await db.kysely
        .selectFrom('ledger')
        .select(['record_key', 'target_version', 'run_id', 'content_hash'])
        .where('target', '=', 'ssc')
        .execute();
      expect(rows.map((r) => [r.record_key, r.target_version, r.run_id])).toEqual([['a', '7', runId]]);
      expect(Buffer.from(rows[0]!.content_hash).toString('hex')).toBe(hashOf(1));
      const diff = await diffAgainstLedger(db, {
        target: 'ssc',
        stream,
        schoolCode: 'S1',
        entries: [
          { key: 'a', hash: hashOf(1) },
          { key: 'b', hash: hashOf(2) },
        ],
      });
      expect(diff).toEqual({ created: ['b'], updated: [], unchanged: 1 });
    });

    test('lists the keys a full run did not see, and forgets them once the target deleted them', async () => {
      const seen = Array.from({ length: N }, (_, i) => `st-${i}`).filter(
        (k) => k !== 'st-7' && k !== 'st-42',
      );
      expect(await keysNotSeen(db, target, stream, 'S1', seen)).toEqual(['st-42', 'st-7']);
      expect(await keysNotSeen(db, target, stream, 'S2', [])).toEqual([]);

      await applyTargetResults(db, {
        target,
        stream,
        schoolCode: 'S1',
        runId: null,
        results: [{ key: 'st-7', hash: hashOf(7), accepted: true, deleted: true }],
      });
      expect(await keysNotSeen(db, target, stream, 'S1', seen)).toEqual(['st-42']);
      // A deleted record that comes back is new to the target again.
      const diff = await diffAgainstLedger(db, {
        target,
        stream,
        schoolCode: 'S1',
        entries: [{ key: 'st-7', hash: hashOf(7) }],
      });
      expect(diff).toEqual({ created: ['st-7'], updated: [], unchanged: 0 });
    });
  });
});

describe('migrations on PostgreSQL from two processes at once', () => {
  const backend = postgresBackend();
  afterAll(() => backend.cleanup());

  test('run each migration once: the migrator lock makes one wait and find nothing left', async () => {
    const first = await backend.open();
    const second = await createDatabase({ DATABASE_URL: backend.url });
    try {
      const results = await Promise.all([migrateToLatest(first), migrateToLatest(second)]);
      expect(results.map((r) => r.applied).sort()).toEqual([[], Object.keys(MIGRATIONS)]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

/** Two actors whose entries go to different chains. */
function actorsInDistinctChains(): [string, string] {
  const a = 'key:holder';
  for (let n = 0; ; n++) if (chainOf(`key:other-${n}`) !== chainOf(a)) return [a, `key:other-${n}`];
}

/** Another actor than `not` whose entries go to `chain`. */
function actorInChain(chain: number, not: string): string {
  for (let n = 0; ; n++) {
    const actor = `key:same-chain-${n}`;
    if (actor !== not && chainOf(actor) === chain) return actor;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
