// The references in docs/ that are written from the code (`npm run commands-doc`, `npm run
// settings-doc`) must be what the code would write now, and must cover all of it.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../bin/cli.ts';
import { renderCommandDocs } from '../src/cli/command-docs.ts';
import { settingInfo } from '../src/config/fields.ts';
import { configSchema, SETTING_SECTIONS } from '../src/config/schema.ts';
import { renderSettingsDocs } from '../src/config/settings-docs.ts';

const committed = (name: string) =>
  readFile(new URL(`../docs/${name}`, import.meta.url), 'utf8').catch(() => '');

function* commandsOf(command: Command, path: string[] = []): Generator<{ path: string; command: Command }> {
  for (const sub of command.commands) {
    yield { path: [...path, sub.name()].join(' '), command: sub };
    yield* commandsOf(sub, [...path, sub.name()]);
  }
}

describe('docs/commands.md', () => {
  it('is what npm run commands-doc writes from the program now', async () => {
    expect(await committed('commands.md'), 'docs/commands.md is out of date: run npm run commands-doc').toBe(
      renderCommandDocs(buildCli({ exitCode: 0 })),
    );
  });

  it('lists every command with its usage, every option with its flags', () => {
    const program = buildCli({ exitCode: 0 });
    const text = renderCommandDocs(program);
    const all = [...commandsOf(program)];
    expect(all.length).toBeGreaterThan(40);
    for (const { path, command } of all) {
      expect(text, path).toContain(`## edubridge ${path}\n`);
      expect(command.description(), `edubridge ${path} has no description`).not.toBe('');
      for (const option of command.options)
        expect(text, `${path} ${option.flags}`).toContain(`\`${option.flags}\``);
    }
    // Spot check on a real command: its usage line and a required option.
    expect(text).toContain('```\nedubridge import [options] <file>\n```');
    expect(text).toMatch(/- `--school <code>`: [^\n]+/);
  });
});

describe('docs/settings.md', () => {
  it('is what npm run settings-doc writes from the schema now', async () => {
    expect(await committed('settings.md'), 'docs/settings.md is out of date: run npm run settings-doc').toBe(
      renderSettingsDocs(),
    );
  });

  it('lists each setting the schema accepts once, in a section, with what it expects', () => {
    const listed = SETTING_SECTIONS.flatMap((section) => Object.keys(section.settings));
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.toSorted()).toEqual(Object.keys(configSchema.shape).toSorted());
    for (const section of SETTING_SECTIONS) {
      for (const [name, schema] of Object.entries(section.settings)) {
        expect(settingInfo.get(schema)?.expects, name).toMatch(/\S/);
      }
    }
  });

  it('shows defaults as start-up reads them and never a secret', () => {
    const text = renderSettingsDocs();
    expect(text).toContain('- `PORT` (default `8080`): an integer 1–65535\n');
    expect(text).toContain('- `REDIS_URL` (default `redis://127.0.0.1:6379`)');
    expect(text).toMatch(/- `DATA_KEYS` \(unset by default, secret\): /);
    expect(text).toMatch(/- `DATABASE_URL` \(unset by default\): /);
  });
});
