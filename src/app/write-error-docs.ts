/**
 * `npm run errors-doc`: writes docs/errors.md from the error catalogue. The model renders it (it does
 * no I/O); this writes it. A test fails while the committed file differs from what this would write.
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderErrorDocs } from '../model/error-docs.ts';

const target = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));
await writeFile(target, renderErrorDocs());
console.log(`Đã ghi / Wrote ${relative(process.cwd(), target) || target}`);
