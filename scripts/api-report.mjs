#!/usr/bin/env node
// The public surface of the package's entry points (`edubridge/sdk`, `edubridge/kit`), locked in
// `api/<entry>.api.md` by API Extractor. `npm run api-report` writes the reports after a deliberate
// change; `npm run api-report -- --check` (run by `npm test`) fails, with the difference, when the
// code's surface no longer matches the committed report.
//
// API Extractor reads declaration files, so the entry points are first compiled to .d.ts in a
// temporary folder with the project's own TypeScript (tsconfig.api.json).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(import.meta.url);

/** Each entry point: its report's name and its source, as `package.json` `exports` names them. */
const ENTRIES = [
  { report: 'sdk', source: 'src/sdk/index.ts' },
  { report: 'kit', source: 'src/sdk/conformance/index.ts' },
];

/** A declaration in a report, its name captured. */
const DECLARATION =
  /(?:declare )?(?:abstract )?(?:class|interface|type|const|let|enum|namespace|function\*?) (\w+)/;

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const check = values.check;

const problems = [];
const temp = await mkdtemp(join(tmpdir(), 'edubridge-api-'));
try {
  const dts = join(temp, 'dts');
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.api.json', '--outDir', dts], {
    cwd: root,
    stdio: 'inherit',
  });
  if (compiled.status !== 0) throw new Error('tsc -p tsconfig.api.json failed');

  const reports = new Map();
  for (const entry of ENTRIES) reports.set(entry.report, extract(entry, dts, join(temp, 'report')));
  const sdkNames = exportedNames(reports.get('sdk'));

  for (const entry of ENTRIES) {
    const file = `api/${entry.report}.api.md`;
    const fresh = settle(entry, reports.get(entry.report), sdkNames);
    const committed = await readFile(join(root, file), 'utf8').catch(() => undefined);
    if (fresh === committed) continue;
    if (check) {
      problems.push(`${file} is stale: the code's public surface differs from the committed report`);
      const diff = spawnSync('git', ['diff', '--no-index', '--no-color', '--', file, '-'], {
        cwd: root,
        input: fresh,
        encoding: 'utf8',
      });
      console.error(diff.stdout.replaceAll('b/-', `b/${file}`));
    } else {
      await mkdir(join(root, 'api'), { recursive: true });
      await writeFile(join(root, file), fresh);
      console.log(`Đã ghi / Wrote ${file}`);
    }
  }
} finally {
  await rm(temp, { recursive: true, force: true });
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(
    check
      ? 'If the change is meant, run `npm run api-report`, review api/*.api.md and commit it with the change.'
      : 'Fix the problems above; the reports were written as they are.',
  );
  process.exitCode = 1;
}

/** Runs API Extractor on one entry point's .d.ts; returns its report as API Extractor writes it. */
function extract(entry, dts, reportDir) {
  const mainEntryPointFilePath = join(dts, entry.source.replace(/\.ts$/, '.d.ts'));
  const unusedDir = join(reportDir, 'unused');
  mkdirSync(unusedDir, { recursive: true });
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath,
      bundledPackages: [],
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2023',
            lib: ['ES2023'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            allowImportingTsExtensions: true,
            noEmit: true,
            skipLibCheck: true,
            types: ['node'],
            typeRoots: [join(root, 'node_modules', '@types')],
          },
          files: [mainEntryPointFilePath],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: entry.report,
        // Compared here, not by API Extractor, after `settle`: both folders are temporary.
        reportFolder: unusedDir,
        reportTempFolder: reportDir,
        includeForgottenExports: false,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning' },
          // Everything an entry exports is public: there are no @public / @beta tags to write.
          'ae-missing-release-tag': { logLevel: 'none' },
          // Undocumented names show in the report as `(undocumented)`; `settle` refuses the
          // exported ones, members may go without.
          'ae-undocumented': { logLevel: 'none' },
          // Written into the report, where `settle` accepts those the SDK exports.
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
        },
        tsdocMessageReporting: { default: { logLevel: 'warning' } },
      },
    },
    configObjectFullPath: join(root, 'api', 'api-extractor.json'),
    packageJsonFullPath: join(root, 'package.json'),
  });
  Extractor.invoke(config, {
    localBuild: true,
    messageCallback: (message) => {
      // API Extractor's own notes on its report files: the files are handled here.
      if (message.messageId.startsWith('console-api-report')) {
        message.handled = true;
        return;
      }
      if (message.logLevel === ExtractorLogLevel.Warning || message.logLevel === ExtractorLogLevel.Error) {
        const where = message.sourceFilePath
          ? `${relative(dts, message.sourceFilePath).replace(/\.d\.ts$/, '.ts')}:${message.sourceFileLine}: `
          : '';
        problems.push(`${where}(${message.messageId}) ${message.text}`);
        message.handled = true;
      }
    },
  });
  return readFileSync(join(reportDir, `${entry.report}.api.md`), 'utf8');
}

/** The names a report's entry point exports. */
function exportedNames(report) {
  const names = new Set();
  for (const m of report.matchAll(new RegExp(`^export ${DECLARATION.source}`, 'gm'))) names.add(m[1]);
  for (const m of report.matchAll(/^export \{ \w+ as (\w+) \}/gm)) names.add(m[1]);
  return names;
}

/**
 * The report as committed: a type the kit uses from the SDK is named as such (the SDK's report
 * locks it); any other type an entry uses without exporting it, and any exported name without a
 * doc comment, is a problem.
 */
function settle(entry, report, sdkNames) {
  const fromSdk = new Set();
  const lines = report.split('\n').filter((line) => {
    // Beside a declaration, or in the closing list of warnings that have no declaration to sit by.
    const m =
      /^\s*\/\/ (?:Warning: |\S+ - )\(ae-forgotten-export\) The symbol "([^"]+)" needs to be exported/.exec(
        line,
      );
    if (!m) return true;
    const name = m[1].replace(/_\d+$/, '');
    if (entry.report !== 'sdk' && sdkNames.has(name)) {
      fromSdk.add(name);
      return false;
    }
    problems.push(`${entry.source}: its public names use "${name}", which no entry point exports`);
    return true;
  });
  // A bare `//` that now opens a comment (it parted the removed warnings from the rest) goes too.
  const kept = lines.filter((line, i) => !(/^\s*\/\/$/.test(line) && !/^\s*\/\//.test(lines[i - 1] ?? '')));
  const text = kept
    .join('\n')
    // The closing list names the temporary .d.ts files: name the sources instead.
    .replace(/^(\/\/ )\S+\/dts\/(\S+)\.d\.ts:/gm, '$1$2.ts:')
    .replace(/^\/\/ Warnings were encountered during analysis:\n\/\/\n\n/m, '');
  const undocumented = new RegExp(
    `^// @public \\(undocumented\\)\n(?://.*\n)*(?:export )?${DECLARATION.source}`,
    'gm',
  );
  for (const m of text.matchAll(undocumented))
    problems.push(`${entry.source}: "${m[1].replace(/_\d+$/, '')}" has no doc comment`);
  const titled = text.replace(
    /^## API Report File for "[^"]*"/,
    `## API Report File for "edubridge/${entry.report}"`,
  );
  if (fromSdk.size === 0) return titled;
  const note = `// Types from edubridge/sdk (see api/sdk.api.md): ${[...fromSdk].sort().join(', ')}\n`;
  return titled.replace(/^```ts\n/m, (fence) => `${fence}\n${note}`);
}
