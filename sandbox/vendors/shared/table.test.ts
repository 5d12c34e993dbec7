import { describe, expect, it } from 'vitest';
import { RecordTable, StampClock } from './table.ts';

type Row = { id: string; name: string; at?: number; gone?: boolean };
const table = () => {
  const t = new RecordTable<Row>((r, at, gone) => {
    r.at = at;
    r.gone = gone;
  });
  for (let i = 0; i < 3000; i++)
    t.add(`r${i}`, { id: `r${i}`, name: `n${i}` }, 1000 + i, i % 2 ? 'odd' : 'even');
  return t;
};

describe('RecordTable', () => {
  it('pages in table order, filtered by group and update time', () => {
    const t = table();
    expect(t.page({}, 10, 2).map((j) => (JSON.parse(j) as Row).id)).toEqual(['r10', 'r11']);
    expect(t.count({ group: 'odd' })).toBe(1500);
    expect(t.page({ group: 'odd' }, 1, 2).map((j) => (JSON.parse(j) as Row).id)).toEqual(['r3', 'r5']);
    expect(t.count({ since: 3998 })).toBe(2);
  });

  it('keeps tombstones out of lists unless asked, with their deletion time', () => {
    const t = table();
    t.update(
      'r5',
      (r) => {
        r.name = 'changed';
      },
      9000,
    );
    t.remove('r7', 9001);
    expect(t.count()).toBe(2999);
    expect(t.page({ since: 9000, includeDeleted: true }, 0, 10).map((j) => JSON.parse(j))).toEqual([
      { id: 'r5', name: 'changed', at: 9000, gone: false },
      { id: 'r7', name: 'n7', at: 9001, gone: true },
    ]);
    expect(t.tombstones(0).map((x) => [x.id, x.deletedAt])).toEqual([['r7', 9001]]);
    expect(() => t.update('r7', () => {}, 9002)).toThrow(/deleted/);
  });
});

describe('StampClock', () => {
  it('never gives the same time twice, nor goes back', () => {
    const clock = new StampClock(() => 500);
    clock.observe(1000);
    expect([clock.next(), clock.next(), clock.next()]).toEqual([1001, 1002, 1003]);
  });
});
