/**
 * Lines of a UTF-8 file as an async iterable of batches. readline's async iterator costs a promise
 * per line, which is a fifth of the validator's time; splitting 256 KiB chunks costs almost nothing.
 */
import { createReadStream } from 'node:fs';

export interface LineBatch {
  /** Lines of this chunk, without their line ends. */
  lines: string[];
  /** Bytes read from the file so far. */
  bytesRead: number;
}

export async function* readLineBatches(path: string): AsyncGenerator<LineBatch> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  // The pieces of a line no chunk has ended yet, joined once when one does: prepending them to
  // each new chunk before splitting would copy a long line again for every chunk it spans, which
  // is quadratic (a 60 MB line took 43 s).
  let pending: string[] = [];
  for await (const chunk of stream as AsyncIterable<string>) {
    const lines = chunk.split('\n');
    const tail = lines.pop() ?? '';
    if (lines.length === 0) {
      pending.push(tail);
      continue;
    }
    if (pending.length > 0) {
      lines[0] = pending.join('') + lines[0];
      pending = [];
    }
    if (tail !== '') pending.push(tail);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
    }
    yield { lines, bytesRead: stream.bytesRead };
  }
  const rest = pending.join('');
  if (rest !== '')
    yield { lines: [rest.endsWith('\r') ? rest.slice(0, -1) : rest], bytesRead: stream.bytesRead };
}
