/**
 * Buffered line writers over `fs.createWriteStream`. Lines collect in a small buffer that is
 * handed to the stream every ~64 KiB; when the stream's own buffer is full, the generator waits
 * for 'drain' before making more records, so memory stays flat whatever the district's size.
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

const FLUSH_AT = 64 * 1024;

export class LineWriter {
  private readonly stream: WriteStream;
  private chunks: string[] = [];
  private pendingChars = 0;
  private drain: Promise<unknown> | null = null;
  private failure: Error | null = null;
  /** Lines written so far; the next line's 1-based number is `lines + 1`. */
  lines = 0;
  /** Bytes handed to the stream so far (UTF-8). */
  bytes = 0;

  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: FLUSH_AT });
    this.stream.on('error', (e) => {
      this.failure = e;
    });
  }

  /** Appends one line (without its newline). */
  line(text: string): void {
    this.chunks.push(text, '\n');
    this.lines++;
    this.pendingChars += text.length + 1;
    if (this.pendingChars >= FLUSH_AT) this.flush();
  }

  /** Appends raw text (no newline added, no line counted). */
  raw(text: string): void {
    this.chunks.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    const chunk = this.chunks.join('');
    this.chunks = [];
    this.pendingChars = 0;
    this.bytes += Buffer.byteLength(chunk, 'utf8');
    if (!this.stream.write(chunk) && !this.drain) {
      this.drain = once(this.stream, 'drain').then(
        () => {
          this.drain = null;
        },
        (e: Error) => {
          this.failure = e;
          this.drain = null;
        },
      );
    }
  }

  /** True while the stream's buffer is full (or it failed): call `ready()` before writing more. */
  get blocked(): boolean {
    return this.drain !== null || this.failure !== null;
  }

  /** Resolves once the stream can take more; call between units of work. */
  async ready(): Promise<void> {
    if (this.drain) await this.drain;
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    this.flush();
    await this.ready();
    this.stream.end();
    await once(this.stream, 'finish');
    if (this.failure) throw this.failure;
  }
}

/** Writes a JSON array one element at a time (`defects.json`), so it never sits in memory. */
export class JsonArrayWriter {
  private readonly out: LineWriter;
  private count = 0;

  constructor(path: string) {
    this.out = new LineWriter(path);
    this.out.raw('[');
  }

  push(value: unknown): void {
    this.out.raw(`${this.count === 0 ? '\n  ' : ',\n  '}${JSON.stringify(value)}`);
    this.count++;
  }

  get blocked(): boolean {
    return this.out.blocked;
  }

  ready(): Promise<void> {
    return this.out.ready();
  }

  async close(): Promise<void> {
    this.out.raw(this.count === 0 ? ']\n' : '\n]\n');
    await this.out.close();
  }
}
