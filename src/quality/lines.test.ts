import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLineBatches } from './lines.ts';

const dir = mkdtempSync(join(tmpdir(), 'edubridge-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function linesOf(text: string): Promise<string[]> {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, text);
  const out: string[] = [];
  for await (const batch of readLineBatches(file)) out.push(...batch.lines);
  return out;
}

describe('readLineBatches', () => {
  it('splits LF and CRLF lines and keeps a last line without a line end', async () => {
    expect(await linesOf('a\r\nb\nc')).toEqual(['a', 'b', 'c']);
  });

  it('keeps empty lines, so line numbers stay true', async () => {
    expect(await linesOf('a\n\nb\n')).toEqual(['a', '', 'b']);
  });

  it('joins lines cut across chunk boundaries, multi-byte characters included', async () => {
    const line = `{"fullName":"Nguyễn Thị Ánh","n":"${'x'.repeat(1000)}"}`;
    const lines = Array.from({ length: 2000 }, (_, i) => `${line}${i}`);
    const read = await linesOf(`${lines.join('\n')}\n`);
    expect(read).toHaveLength(2000);
    expect(read).toEqual(lines);
  });

  it('reads a line longer than many chunks whole, a CR at a chunk end included', async () => {
    const chunk = 256 * 1024;
    const long = 'ễ'.repeat(5 * chunk);
    // "a…" + CR as the last character of the first chunk, LF the first of the second.
    const edge = 'a'.repeat(chunk - 1);
    expect(await linesOf(`${edge}\r\n${long}\nb`)).toEqual([edge, long, 'b']);
  });

  it('reads an absurdly long line in time linear in its length', async () => {
    // Prepending the unfinished line to every chunk made this quadratic: a 32 MB line took about
    // 12 s, now well under one.
    const started = performance.now();
    const [line] = await linesOf(`{"fullName":"${'a'.repeat(32 * 1024 * 1024)}"}`);
    expect(line).toHaveLength(32 * 1024 * 1024 + 15);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
