import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonArrayWriter, LineWriter } from './writer.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'edubridge-writer-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('LineWriter', () => {
  it('stops the producer when the stream is full and writes every line in order', async () => {
    const path = join(root, 'lines.jsonl');
    const writer = new LineWriter(path);
    let waits = 0;
    for (let i = 0; i < 40_000; i++) {
      writer.line(JSON.stringify({ i, name: 'Nguyễn Thị Ánh' }));
      if (writer.blocked) {
        waits++;
        await writer.ready();
        expect(writer.blocked).toBe(false);
      }
    }
    await writer.close();
    const text = await readFile(path, 'utf8');
    const lines = text.slice(0, -1).split('\n');
    expect(waits).toBeGreaterThan(0);
    expect(lines).toHaveLength(40_000);
    expect(JSON.parse(lines[39_999]!)).toEqual({ i: 39_999, name: 'Nguyễn Thị Ánh' });
    expect(writer.lines).toBe(40_000);
    expect(writer.bytes).toBe(Buffer.byteLength(text, 'utf8'));
  });
});

describe('JsonArrayWriter', () => {
  it('writes a JSON array one element at a time, empty or not', async () => {
    const empty = new JsonArrayWriter(join(root, 'empty.json'));
    await empty.close();
    expect(JSON.parse(await readFile(join(root, 'empty.json'), 'utf8'))).toEqual([]);

    const some = new JsonArrayWriter(join(root, 'some.json'));
    some.push({ line: 1 });
    some.push({ line: 2 });
    await some.close();
    expect(JSON.parse(await readFile(join(root, 'some.json'), 'utf8'))).toEqual([{ line: 1 }, { line: 2 }]);
  });
});
