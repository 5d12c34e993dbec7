// Writes the modelled contracts of the outside systems: `npx tsx src/targets/write-contracts.ts [--out dir]`.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONTRACTS } from './contracts/index.ts';

// The committed copies, wherever the command is run from; an explicit --out is relative to the cwd.
const root = fileURLToPath(new URL('../../', import.meta.url));
const committedDir = join(root, 'openapi');

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = values.out === undefined ? committedDir : resolve(values.out);

await mkdir(outDir, { recursive: true });
for (const [file, build] of Object.entries(CONTRACTS)) {
  const out = join(outDir, file);
  await writeFile(out, formatted(file, `${JSON.stringify(build(), null, 2)}\n`));
  console.log(`Đã ghi / Wrote ${relative(process.cwd(), out) || out}`);
}

/** As `biome format` writes it (the files are checked by `biome check`), or as is without biome. */
function formatted(file: string, json: string): string {
  try {
    const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
    return execFileSync(process.execPath, [biome, 'format', `--stdin-file-path=openapi/${file}`], {
      cwd: root,
      input: json,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'inherit'],
    });
  } catch {
    console.warn(`biome format failed: ${file} written unformatted`);
    return json;
  }
}
