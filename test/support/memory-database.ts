/**
 * An in-memory PGlite database already migrated, for tests: loaded from a template (a dump of a
 * migrated data directory) in under a second, where creating and migrating one takes four to six
 * seconds on the 2-core machine. The template is built once and kept in the system's temporary
 * directory under a name made of the migrations' source and PGlite's version, so every test file
 * (and the next run) reuses it, and a changed migration gets a template of its own.
 */
import { createHash } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { KyselyPGlite } from 'kysely-pglite';
import { createDatabase, type Database, migrateToLatest, type Tables } from '../../src/store/index.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, '..', '..', 'src', 'store', 'migrations');

let template: Promise<Blob> | undefined;

/** A fresh, migrated, in-memory database of the test's own. */
export async function memoryDatabase(): Promise<Database> {
  template ??= migratedTemplate();
  return createDatabase({ DATABASE_URL: undefined, PGLITE_DIR: undefined }, { pgliteFrom: await template });
}

async function migratedTemplate(): Promise<Blob> {
  const file = join(tmpdir(), `edubridge-pglite-${await templateId()}.tar`);
  if (await exists(file)) return openAsBlob(file);
  const pglite = await PGlite.create();
  const kysely = new Kysely<Tables>({ dialect: new KyselyPGlite(pglite).dialect });
  try {
    await migrateToLatest(kysely);
    const dump = await pglite.dumpDataDir('none');
    // Written aside and renamed: a test file reading it meanwhile sees all of it or none.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
    return dump;
  } finally {
    await kysely.destroy();
  }
}

/** What the template depends on: the migrations as written and the PGlite that runs them. */
async function templateId(): Promise<string> {
  const hash = createHash('sha256');
  const { version } = JSON.parse(
    await readFile(
      join(import.meta.dirname, '..', '..', 'node_modules', '@electric-sql', 'pglite', 'package.json'),
      'utf8',
    ),
  ) as { version: string };
  hash.update(version);
  for (const name of (await readdir(MIGRATIONS_DIR)).sort()) {
    hash.update(name).update(await readFile(join(MIGRATIONS_DIR, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
