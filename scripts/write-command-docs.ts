/**
 * `npm run commands-doc`: writes docs/commands.md from the program of bin/cli.ts. The CLI renders it
 * (src/cli/command-docs.ts, no I/O); this writes it. test/reference-docs.test.ts fails while the
 * committed file differs from what this would write.
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../bin/cli.ts';
import { renderCommandDocs } from '../src/cli/command-docs.ts';

const target = fileURLToPath(new URL('../docs/commands.md', import.meta.url));
await writeFile(target, renderCommandDocs(buildCli({ exitCode: 0 })));
console.log(`Đã ghi / Wrote ${relative(process.cwd(), target) || target}`);
