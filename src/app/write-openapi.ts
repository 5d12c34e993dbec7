// Writes the hub's OpenAPI document: `npx tsx src/app/write-openapi.ts [--out path]`.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateOpenApi, toStableJson } from './openapi.ts';

// The committed copy, wherever the command is run from; an explicit --out is relative to the cwd.
const committedPath = fileURLToPath(new URL('../../openapi/edubridge.json', import.meta.url));

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = values.out === undefined ? committedPath : resolve(values.out);

await mkdir(dirname(out), { recursive: true });
await writeFile(out, toStableJson(await generateOpenApi()));
console.log(`Đã ghi / Wrote ${relative(process.cwd(), out) || out}`);
