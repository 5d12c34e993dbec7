/**
 * `npm run model-docs`: writes the canonical model's JSON Schemas (`schemas/model/`) and
 * `docs/model.md` from the zod schemas. The model renders them (it does no I/O); this writes them,
 * the JSON formatted as `biome format` would. A test fails while the committed files differ from
 * what this would write.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_DOCS_FILE, MODEL_SCHEMA_DIR, modelJsonSchemas, renderModelDocs } from '../model/model-docs.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schemaDir = join(root, MODEL_SCHEMA_DIR);
const wrote = (file: string) => console.log(`Đã ghi / Wrote ${relative(process.cwd(), file) || file}`);

await mkdir(schemaDir, { recursive: true });
const files = modelJsonSchemas();
// A record type that is gone takes its schema with it.
for (const name of await readdir(schemaDir)) {
  if (name.endsWith('.schema.json') && !(name in files)) await rm(join(schemaDir, name));
}
for (const [name, schema] of Object.entries(files)) {
  const file = join(schemaDir, name);
  await writeFile(file, formatted(`${MODEL_SCHEMA_DIR}/${name}`, `${JSON.stringify(schema, null, 2)}\n`));
  wrote(file);
}
const docs = join(root, MODEL_DOCS_FILE);
await writeFile(docs, renderModelDocs());
wrote(docs);

/** As `biome format` writes it (the files are checked by `biome check`), or as is without biome. */
function formatted(path: string, json: string): string {
  try {
    const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
    return execFileSync(process.execPath, [biome, 'format', `--stdin-file-path=${path}`], {
      cwd: root,
      input: json,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'inherit'],
    });
  } catch {
    console.warn(`biome format failed: ${path} written unformatted`);
    return json;
  }
}
