/**
 * `npm run settings-doc`: writes docs/settings.md from the configuration schema. The config module
 * renders it (no I/O); this writes it. test/reference-docs.test.ts fails while the committed file
 * differs from what this would write.
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSettingsDocs } from '../config/settings-docs.ts';

const target = fileURLToPath(new URL('../../docs/settings.md', import.meta.url));
await writeFile(target, renderSettingsDocs());
console.log(`Đã ghi / Wrote ${relative(process.cwd(), target) || target}`);
