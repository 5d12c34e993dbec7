/**
 * A simulator's table of vendor records, held compactly: each record as its serialised JSON text
 * (what a page is built from, without serialising again), its update time and a tombstone flag
 * in typed arrays, and an id index. 100,000 records cost their JSON text and little more.
 */

export interface TableQuery {
  /** Only records updated at or after this time (ms since the epoch). */
  since?: number;
  /** Include tombstones (records deleted at the source). */
  includeDeleted?: boolean;
  /** Only records of this group (a school code, say). */
  group?: string;
}

/** A monotonic clock in milliseconds: never the same value twice, never backwards. */
export class StampClock {
  private last = 0;
  constructor(private readonly now: () => number = Date.now) {}
  next(): number {
    this.last = Math.max(this.last + 1, this.now());
    return this.last;
  }
  /** Moves the clock forward past `ms` (initial data timestamps). */
  observe(ms: number): void {
    this.last = Math.max(this.last, ms);
  }
}

export class RecordTable<T extends object> {
  private json: string[] = [];
  private ids: string[] = [];
  private groups: string[] = [];
  private updated = new Float64Array(1024);
  private deleted = new Uint8Array(1024);
  private readonly index = new Map<string, number>();
  private liveCount = 0;

  /**
   * @param stamp writes the update time and tombstone flag into a record before it is serialised.
   */
  constructor(private readonly stamp: (record: T, updatedAt: number, deleted: boolean) => void) {}

  get size(): number {
    return this.ids.length;
  }

  /** Records not deleted. */
  get live(): number {
    return this.liveCount;
  }

  add(id: string, record: T, updatedAt: number, group = ''): void {
    if (this.index.has(id)) throw new Error(`duplicate id ${id}`);
    const i = this.ids.length;
    if (i === this.updated.length) {
      const updated = new Float64Array(i * 2);
      updated.set(this.updated);
      this.updated = updated;
      const deleted = new Uint8Array(i * 2);
      deleted.set(this.deleted);
      this.deleted = deleted;
    }
    this.stamp(record, updatedAt, false);
    this.ids.push(id);
    this.groups.push(group);
    this.json.push(JSON.stringify(record));
    this.updated[i] = updatedAt;
    this.index.set(id, i);
    this.liveCount++;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  get(id: string): T | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : (JSON.parse(this.json[i]!) as T);
  }

  isDeleted(id: string): boolean {
    const i = this.index.get(id);
    return i !== undefined && this.deleted[i] === 1;
  }

  updatedAt(id: string): number | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.updated[i];
  }

  /** Changes a live record and moves its update time to `at`. */
  update(id: string, change: (record: T) => void, at: number): T {
    const i = this.indexOf(id);
    if (this.deleted[i]) throw new Error(`record ${id} is deleted`);
    const record = JSON.parse(this.json[i]!) as T;
    change(record);
    this.stamp(record, at, false);
    this.json[i] = JSON.stringify(record);
    this.updated[i] = at;
    return record;
  }

  /** Deletes a record, leaving a tombstone stamped `at`. */
  remove(id: string, at: number): void {
    const i = this.indexOf(id);
    if (this.deleted[i]) return;
    const record = JSON.parse(this.json[i]!) as T;
    this.stamp(record, at, true);
    this.json[i] = JSON.stringify(record);
    this.updated[i] = at;
    this.deleted[i] = 1;
    this.liveCount--;
  }

  private indexOf(id: string): number {
    const i = this.index.get(id);
    if (i === undefined) throw new Error(`no record ${id}`);
    return i;
  }

  private matches(i: number, q: TableQuery): boolean {
    if (!q.includeDeleted && this.deleted[i]) return false;
    if (q.since !== undefined && this.updated[i]! < q.since) return false;
    if (q.group !== undefined && this.groups[i] !== q.group) return false;
    return true;
  }

  private unfiltered(q: TableQuery): boolean {
    return (
      q.since === undefined && q.group === undefined && (q.includeDeleted || this.liveCount === this.size)
    );
  }

  /** How many records match. */
  count(q: TableQuery = {}): number {
    if (this.unfiltered(q)) return this.size;
    let n = 0;
    for (let i = 0; i < this.ids.length; i++) if (this.matches(i, q)) n++;
    return n;
  }

  /**
   * A page of matching records, in table order: their JSON texts from the `offset`-th match on.
   * A filtered query scans the typed arrays, which costs well under a millisecond per 100,000 rows.
   */
  page(q: TableQuery, offset: number, limit: number): string[] {
    if (this.unfiltered(q)) return this.json.slice(offset, offset + limit);
    const out: string[] = [];
    let seen = 0;
    for (let i = 0; i < this.ids.length && out.length < limit; i++) {
      if (!this.matches(i, q)) continue;
      if (seen++ >= offset) out.push(this.json[i]!);
    }
    return out;
  }

  /** Ids of records (live unless `includeDeleted`) in table order, for picking what to mutate. */
  idList(q: TableQuery = {}): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.ids.length; i++) if (this.matches(i, q)) out.push(this.ids[i]!);
    return out;
  }

  /** Tombstones deleted at or after `since`: id, time, and the record as it was. */
  tombstones(since = 0): Array<{ id: string; deletedAt: number; record: T }> {
    const out: Array<{ id: string; deletedAt: number; record: T }> = [];
    for (let i = 0; i < this.ids.length; i++) {
      if (this.deleted[i] && this.updated[i]! >= since) {
        out.push({ id: this.ids[i]!, deletedAt: this.updated[i]!, record: JSON.parse(this.json[i]!) as T });
      }
    }
    return out;
  }
}
