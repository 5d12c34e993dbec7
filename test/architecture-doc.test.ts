// docs/architecture.md draws the rooms of the hub and their imports; this keeps the drawing true.
// The real graph comes from dependency-cruiser (the tool behind `npm run boundaries`), runtime files
// only; the imports listed as known violations (to be cut) are left out, as the check leaves them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface Cruised {
  modules: { source: string; dependencies: { resolved: string; dependencyTypes: string[] }[] }[];
}

/** The diagram's rooms (node id → path) and arrows (pairs of paths), from its mermaid block. */
function drawn(markdown: string): { rooms: Map<string, string>; arrows: Set<string> } {
  const block = /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
  const rooms = new Map<string, string>();
  for (const [, id, label] of block.matchAll(/^\s*(\w+)\[([^\]:]+)(?::[^\]]*)?\]/gm))
    rooms.set(id ?? '', label ?? '');
  const arrows = new Set<string>();
  for (const [, from, to] of block.matchAll(/^\s*(\w+) --> (\w+)\s*$/gm)) {
    arrows.add(`${rooms.get(from ?? '') ?? `?${from}`} -> ${rooms.get(to ?? '') ?? `?${to}`}`);
  }
  return { rooms, arrows };
}

/** The room of a path: the longest drawn room that holds it. */
function roomOf(path: string, rooms: readonly string[]): string | undefined {
  return rooms.filter((room) => path.startsWith(`${room}/`)).sort((a, b) => b.length - a.length)[0];
}

describe('docs/architecture.md', () => {
  it('draws exactly the imports between its rooms that the code makes', () => {
    const { rooms, arrows } = drawn(read('docs/architecture.md'));
    const paths = [...rooms.values()];
    expect(paths).toContain('src/model');
    expect(arrows.size).toBeGreaterThan(20);
    for (const arrow of arrows)
      expect(arrow, 'an arrow names a room the diagram does not declare').not.toContain('?');

    const known = new Set(
      (JSON.parse(read('.dependency-cruiser-known-violations.json')) as { from: string; to: string }[]).map(
        (v) => `${v.from} ${v.to}`,
      ),
    );
    const cruised = JSON.parse(
      execFileSync(
        process.execPath,
        [
          'node_modules/dependency-cruiser/bin/dependency-cruise.mjs',
          'src',
          'adapters',
          'mappings',
          '--config',
          '.dependency-cruiser.cjs',
          '--output-type',
          'json',
        ],
        { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      ),
    ) as Cruised;
    const real = new Set<string>();
    for (const module of cruised.modules) {
      if (module.source.endsWith('.test.ts')) continue;
      const from = roomOf(module.source, paths);
      if (from === undefined) continue;
      for (const dependency of module.dependencies) {
        const to = roomOf(dependency.resolved, paths);
        if (to === undefined || to === from || known.has(`${module.source} ${dependency.resolved}`)) continue;
        real.add(`${from} -> ${to}`);
      }
    }
    expect(
      [...arrows].filter((a) => !real.has(a)),
      'arrows drawn that no import makes',
    ).toEqual([]);
    expect(
      [...real].filter((a) => !arrows.has(a)),
      'imports the diagram does not show',
    ).toEqual([]);
  });
});
