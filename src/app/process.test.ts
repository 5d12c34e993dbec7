import { describe, expect, it } from 'vitest';
import { whenStoresAnswer } from './process.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('whenStoresAnswer', () => {
  it('waits out a store that is away and gives the chore’s result once it answers', async () => {
    let calls = 0;
    const warned: string[] = [];
    const result = await whenStoresAnswer(
      'schedules',
      async () => {
        calls++;
        if (calls < 3)
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        return 'synced';
      },
      { ...silent, warn: (msg: string) => warned.push(msg) },
    );
    expect(result).toBe('synced');
    expect(calls).toBe(3);
    expect(warned).toEqual([
      'schedules: a store is away; trying again',
      'schedules: a store is away; trying again',
    ]);
  }, 10_000);

  it('passes any other error on at once', async () => {
    let calls = 0;
    await expect(
      whenStoresAnswer(
        'schedules',
        async () => {
          calls++;
          throw new Error('schedule 7 has no school');
        },
        silent,
      ),
    ).rejects.toThrow('schedule 7 has no school');
    expect(calls).toBe(1);
  });
});
