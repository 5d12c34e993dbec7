/**
 * Reads a generated JSONL file as consecutive groups of records (the generator writes school by
 * school, class by class), holding one group at a time.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Line<T> {
  /** 1-based line number in the file. */
  line: number;
  record: T;
}

/** Lines of a JSONL file, one at a time. */
export async function* jsonlLines<T>(path: string): AsyncGenerator<Line<T>> {
  if (!existsSync(path)) return;
  let line = 0;
  for await (const text of createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    line++;
    if (text.trim() === '') continue;
    yield { line, record: JSON.parse(text) as T };
  }
}

/**
 * Hands out consecutive runs of lines sharing a key, in file order.
 *
 * @example
 * const students = new Groups(jsonlLines<Student>(path), (s) => s.schoolCode);
 * const school1 = await students.take('79NB0001');
 */
export class Groups<T> {
  private pending: Line<T> | undefined;
  private done = false;

  constructor(
    private readonly lines: AsyncIterator<Line<T>>,
    private readonly keyOf: (record: T) => string,
  ) {}

  private async peek(): Promise<Line<T> | undefined> {
    if (this.pending || this.done) return this.pending;
    const next = await this.lines.next();
    if (next.done) this.done = true;
    else this.pending = next.value;
    return this.pending;
  }

  /** The next lines whose key is `key` (none when the next line has another key). */
  async take(key: string): Promise<Array<Line<T>>> {
    const out: Array<Line<T>> = [];
    for (;;) {
      const line = await this.peek();
      if (!line || this.keyOf(line.record) !== key) return out;
      out.push(line);
      this.pending = undefined;
    }
  }

  /** The next run of lines with the same key, whatever it is. */
  async next(): Promise<Array<Line<T>> | undefined> {
    const line = await this.peek();
    if (!line) return undefined;
    return this.take(this.keyOf(line.record));
  }
}
