import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { generateOpenApi, toStableJson } from '../src/app/index.ts';

const COMMITTED = new URL('../openapi/edubridge.json', import.meta.url);
const STALE = 'openapi/edubridge.json is out of date with the routes: run `npm run openapi` and commit it';

test('the committed OpenAPI document matches the routes', async () => {
  const committed = await readFile(COMMITTED, 'utf8').catch(() => '(missing)');

  const generated = toStableJson(await generateOpenApi());

  expect(committed, STALE).toBe(generated);
});

test('the document is OpenAPI 3.1 titled EduBridge', async () => {
  const document = (await generateOpenApi()) as { openapi: string; info: { title: string } };

  expect(document.openapi).toBe('3.1.0');
  expect(document.info.title).toBe('EduBridge');
});
