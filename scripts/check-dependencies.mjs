#!/usr/bin/env node
// `npm run deps-check`: the production dependency tree, known and permissively licensed.
//
// The npm advisory service cannot be reached from the machines that build and run the hub, so
// `npm audit` cannot say when a dependency turns bad. Instead, every package that ships with the hub
// (every lockfile entry not marked `dev`, transitive ones included) must be in the reviewed list
// `dependencies.json` (name → licence), and its licence must be permissive, or the package named
// with its licence and the reason in `dependencies.exceptions.json`. A new package, a package whose
// licence changed, or a licence outside the permissive set fails the check, naming the package and
// the rule; whoever adds a dependency runs `npm run deps-check -- --write` and commits the diff of
// `dependencies.json` for review.
//
// Which lockfile entries ship: npm marks `dev: true` on what only devDependencies reach (left out)
// and `devOptional: true` on what devDependencies reach *and* an optional dependency of a shipped
// package does: `npm ci --omit=dev` still installs those, so they count. `optional: true` alone
// (platform binaries, say) ships too, where the platform matches.
//
// Usage: node scripts/check-dependencies.mjs [--write] [--quiet] [--root <dir>]
//   --write  rewrite dependencies.json from the lockfile (after a reviewed change), then check
//   --quiet  no table: the errors, warnings and the summary line only (what `npm test` runs)
// Exit: 0 the tree is known and permissive, 1 it is not, 2 the check could not run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KNOWN_FILE = 'dependencies.json';
export const EXCEPTIONS_FILE = 'dependencies.exceptions.json';

/**
 * Licences that let the hub be run, changed and handed over without conditions beyond keeping a
 * notice: the MIT and BSD family, ISC, Apache-2.0, the public-domain dedications, and a few more
 * of the same kind (Zlib, Python-2.0, BlueOak). Copyleft (GPL, LGPL, AGPL, MPL, EPL …), "source
 * available" and unknown licences are not here: such a package needs an exception with a reason.
 */
export const PERMISSIVE = new Set([
  '0BSD',
  'Apache-2.0',
  'BlueOak-1.0.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'CC0-1.0',
  'ISC',
  'MIT',
  'MIT-0',
  'Python-2.0',
  'Unlicense',
  'Zlib',
]);

/** What a package with no licence in the lockfile nor in its package.json is listed as (SPDX's word). */
export const NO_LICENCE = 'NOASSERTION';

/** The rules a package can break; an error names one. */
export const RULES = {
  DEP_UNKNOWN: {
    vi: 'không có trong danh sách thư viện đã duyệt',
    en: 'is not in the reviewed list',
  },
  DEP_LICENCE_CHANGED: {
    vi: 'đổi giấy phép so với danh sách đã duyệt',
    en: 'has another licence than the reviewed list says',
  },
  DEP_LICENCE_NOT_PERMISSIVE: {
    vi: 'có giấy phép không thuộc nhóm cho phép và không có ngoại lệ',
    en: 'has a licence outside the permissive set and no exception',
  },
  DEP_LICENCE_MISSING: {
    vi: 'không khai báo giấy phép và không có ngoại lệ',
    en: 'declares no licence and has no exception',
  },
};

/** The package name of a lockfile path: `node_modules/a/node_modules/@b/c` → `@b/c`. */
function nameOfPath(path) {
  const at = path.lastIndexOf('node_modules/');
  return at < 0 ? path : path.slice(at + 'node_modules/'.length);
}

/** A `license` / `licenses` field, old forms included, as one SPDX-like string; undefined if none. */
export function licenceText(license, licenses) {
  if (typeof license === 'string' && license.trim() !== '') return license.trim();
  if (license && typeof license === 'object' && typeof license.type === 'string') return license.type;
  if (Array.isArray(licenses) && licenses.length > 0) {
    const types = licenses.map((l) => (typeof l === 'string' ? l : l?.type)).filter(Boolean);
    if (types.length === 1) return types[0];
    // The old `licenses` array listed the licences one may choose from.
    if (types.length > 1) return `(${types.join(' OR ')})`;
  }
  return undefined;
}

/**
 * Whether an SPDX expression leaves the hub a permissive choice: `A OR B` if either is permissive,
 * `A AND B` if both are, `X+` as X, `X WITH exception` never (an exception file entry decides).
 * Anything that does not parse is not permissive.
 */
export function isPermissive(expression) {
  if (typeof expression !== 'string') return false;
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let at = 0;
  const peek = () => tokens[at]?.toUpperCase();
  const fail = () => {
    throw new Error('unparsed');
  };
  const atom = () => {
    if (tokens[at] === '(') {
      at++;
      const value = or();
      if (tokens[at++] !== ')') fail();
      return value;
    }
    const id = tokens[at++];
    if (!id || id === ')' || ['AND', 'OR', 'WITH'].includes(id.toUpperCase())) fail();
    if (peek() === 'WITH') {
      at += 2;
      return false;
    }
    return PERMISSIVE.has(id.endsWith('+') ? id.slice(0, -1) : id);
  };
  const and = () => {
    let value = atom();
    while (peek() === 'AND') {
      at++;
      value = atom() && value;
    }
    return value;
  };
  const or = () => {
    let value = and();
    while (peek() === 'OR') {
      at++;
      value = and() || value;
    }
    return value;
  };
  try {
    const value = or();
    return at === tokens.length && value;
  } catch {
    return false;
  }
}

/**
 * Every production package of a lockfile (v2 or v3): name, version, licence, and whether it is
 * optional, one per name and version, sorted. `readManifest(path)` gives the installed
 * package.json of a lockfile path (or undefined): the licence is read there when the lockfile
 * has none.
 */
export function productionPackages(lockfile, readManifest = () => undefined) {
  if (!lockfile || typeof lockfile.packages !== 'object' || (lockfile.lockfileVersion ?? 0) < 2) {
    throw new Error(
      'package-lock.json phải là lockfileVersion 2 hoặc 3 (có mục "packages") / package-lock.json must be lockfileVersion 2 or 3 (with "packages")',
    );
  }
  const seen = new Map();
  for (const [path, entry] of Object.entries(lockfile.packages)) {
    if (path === '' || entry.dev === true || entry.link === true) continue;
    const name = entry.name ?? nameOfPath(path);
    const version = entry.version ?? '?';
    let licence = licenceText(entry.license, entry.licenses);
    if (licence === undefined) {
      const manifest = readManifest(path);
      licence = licenceText(manifest?.license, manifest?.licenses);
    }
    const key = `${name}@${version}`;
    const optional = entry.optional === true || entry.devOptional === true;
    const known = seen.get(key);
    // The same version at two places in the tree: optional only if optional at both.
    if (known) known.optional &&= optional;
    else seen.set(key, { name, version, licence: licence ?? NO_LICENCE, optional });
  }
  return [...seen.values()].sort((a, b) =>
    a.name === b.name ? compareVersions(a.version, b.version) : a.name < b.name ? -1 : 1,
  );
}

function compareVersions(a, b) {
  const pa = a.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const pb = b.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    if (pa[i] === undefined) return -1;
    if (pb[i] === undefined) return 1;
    return pa[i] < pb[i] ? -1 : 1;
  }
  return 0;
}

/** The reviewed list as `--write` makes it: name → licence (a sorted list when versions differ). */
export function knownListOf(packages) {
  const byName = new Map();
  for (const p of packages) byName.set(p.name, new Set([...(byName.get(p.name) ?? []), p.licence]));
  const list = {};
  for (const name of [...byName.keys()].sort()) {
    const licences = [...byName.get(name)].sort();
    list[name] = licences.length === 1 ? licences[0] : licences;
  }
  return list;
}

const licencesOf = (value) => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/**
 * Checks the packages against the reviewed list (`known`: name → licence) and the exceptions
 * (`exceptions`: name → { licence, reason }); an exception holds for that licence only, so a
 * package that changes licence is looked at again.
 *
 * @returns {{ errors: Array<{ rule: string, name: string, version: string, licence: string, message: string }>, warnings: string[] }}
 */
export function checkPackages(packages, known, exceptions) {
  const errors = [];
  const error = (rule, p, extra = '') =>
    errors.push({
      rule,
      name: p.name,
      version: p.version,
      licence: p.licence,
      message: `[${rule}] ${p.name}@${p.version} (${p.licence}) ${RULES[rule].vi}${extra} / ${RULES[rule].en}${extra}`,
    });
  for (const p of packages) {
    if (!Object.hasOwn(known, p.name)) error('DEP_UNKNOWN', p);
    else if (!licencesOf(known[p.name]).includes(p.licence)) {
      error('DEP_LICENCE_CHANGED', p, ` (${licencesOf(known[p.name]).join(', ')})`);
    }
    const exception = Object.hasOwn(exceptions, p.name) ? exceptions[p.name] : undefined;
    const excepted = exception !== undefined && exception.licence === p.licence;
    if (excepted || isPermissive(p.licence)) continue;
    error(p.licence === NO_LICENCE ? 'DEP_LICENCE_MISSING' : 'DEP_LICENCE_NOT_PERMISSIVE', p);
  }
  const warnings = [];
  const present = new Set(packages.map((p) => p.name));
  const gone = Object.keys(known).filter((name) => !present.has(name));
  if (gone.length > 0) {
    warnings.push(
      `${gone.length} thư viện trong ${KNOWN_FILE} không còn dùng (chạy --write để bỏ) / no longer in the tree (run --write to drop them): ${gone.join(', ')}`,
    );
  }
  for (const [name, exception] of Object.entries(exceptions)) {
    const used = packages.some((p) => p.name === name && p.licence === exception.licence);
    if (!used) {
      warnings.push(
        `Ngoại lệ ${name} (${exception.licence}) không còn cần / The exception for ${name} (${exception.licence}) is no longer needed`,
      );
    }
  }
  return { errors, warnings };
}

/** The table: name, version, licence, and a mark for optional packages. */
export function renderTable(packages) {
  const rows = [['tên / name', 'phiên bản / version', 'giấy phép / licence', '']];
  for (const p of packages) rows.push([p.name, p.version, p.licence, p.optional ? 'optional' : '']);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One line: how many packages and names, by licence, the exceptions used, the errors. */
export function summaryLine(packages, exceptions, errors) {
  const byLicence = new Map();
  for (const p of packages) byLicence.set(p.licence, (byLicence.get(p.licence) ?? 0) + 1);
  const licences = [...byLicence]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([licence, n]) => `${licence} ${n}`)
    .join(', ');
  const names = new Set(packages.map((p) => p.name)).size;
  const used = Object.entries(exceptions).filter(([name, e]) =>
    packages.some((p) => p.name === name && p.licence === e.licence),
  ).length;
  return (
    `deps-check: ${packages.length} thư viện production / production packages (${names} names); ` +
    `${licences}; ${used} ngoại lệ / exceptions; ${errors.length} lỗi / errors`
  );
}

function readJson(path, fallback) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (fallback !== undefined && error.code === 'ENOENT') return fallback;
    throw new Error(`Không đọc được ${path} / Cannot read ${path}: ${error.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} không phải JSON hợp lệ / ${path} is not valid JSON: ${error.message}`);
  }
}

// Two spaces, a list of licences on one line: what the repository's formatter (Biome) writes, so
// that a file written here passes `npm run lint` as it is.
const jsonText = (value) =>
  `${JSON.stringify(value, null, 2).replace(
    /\[\n\s+("[^"\n]*"(?:,\n\s+"[^"\n]*")*)\n\s+\]/g,
    (_, items) => `[${items.split(/,\n\s+/).join(', ')}]`,
  )}\n`;

/** Names for a message: all of a few, the first 20 of many. */
const someNames = (names) =>
  names.length <= 20 ? names.join(', ') : `${names.slice(0, 20).join(', ')} … (+${names.length - 20})`;

const KNOWN_COMMENT =
  'Production dependencies, reviewed: name → licence. Written by `npm run deps-check -- --write` from package-lock.json; review and commit its diff. Checked by `npm run deps-check` (and `npm test`).';

/** Runs the check (and `--write`) in `root`; returns the exit code. */
export function main(argv, { root = process.cwd(), out = console.log, err = console.error } = {}) {
  const args = [...argv];
  const write = args.includes('--write');
  const quiet = args.includes('--quiet');
  const rootAt = args.indexOf('--root');
  const dir = resolve(rootAt >= 0 ? (args[rootAt + 1] ?? '.') : root);
  const unknown = args.filter(
    (a, i) => !['--write', '--quiet', '--root'].includes(a) && args[i - 1] !== '--root',
  );
  if (unknown.length > 0) {
    err(`Lỗi / Error: tuỳ chọn không rõ / unknown option: ${unknown.join(' ')}`);
    return 2;
  }
  let packages;
  let exceptions;
  let knownFile;
  try {
    const lockfile = readJson(join(dir, 'package-lock.json'));
    packages = productionPackages(lockfile, (path) => {
      try {
        return JSON.parse(readFileSync(join(dir, path, 'package.json'), 'utf8'));
      } catch {
        return undefined;
      }
    });
    exceptions = readJson(join(dir, EXCEPTIONS_FILE), { exceptions: {} }).exceptions ?? {};
    knownFile = readJson(join(dir, KNOWN_FILE), { packages: {} });
  } catch (error) {
    err(`Lỗi / Error: ${error.message}`);
    return 2;
  }
  let known = knownFile.packages ?? {};
  if (write) {
    const next = knownListOf(packages);
    const added = Object.keys(next).filter((n) => !Object.hasOwn(known, n));
    const removed = Object.keys(known).filter((n) => !Object.hasOwn(next, n));
    const changed = Object.keys(next).filter(
      (n) => Object.hasOwn(known, n) && JSON.stringify(known[n]) !== JSON.stringify(next[n]),
    );
    writeFileSync(join(dir, KNOWN_FILE), jsonText({ $comment: KNOWN_COMMENT, packages: next }));
    out(
      `Đã ghi / Wrote ${KNOWN_FILE}: ${added.length} thêm / added${added.length ? ` (${someNames(added)})` : ''}, ` +
        `${removed.length} bỏ / removed${removed.length ? ` (${someNames(removed)})` : ''}, ` +
        `${changed.length} đổi giấy phép / licence changed${changed.length ? ` (${someNames(changed)})` : ''}. ` +
        'Xem lại và commit / Review and commit its diff.',
    );
    known = next;
  }
  const { errors, warnings } = checkPackages(packages, known, exceptions);
  if (!quiet) out(renderTable(packages));
  for (const warning of warnings) err(`Cảnh báo / Warning: ${warning}`);
  for (const e of errors) err(`Lỗi / Error ${e.message}`);
  if (errors.some((e) => e.rule === 'DEP_UNKNOWN' || e.rule === 'DEP_LICENCE_CHANGED')) {
    err(
      `Nếu thay đổi này có chủ ý: npm run deps-check -- --write, xem lại diff của ${KNOWN_FILE} rồi commit / ` +
        `If the change is meant: npm run deps-check -- --write, review the diff of ${KNOWN_FILE}, commit it`,
    );
  }
  if (errors.some((e) => e.rule === 'DEP_LICENCE_NOT_PERMISSIVE' || e.rule === 'DEP_LICENCE_MISSING')) {
    err(
      `Giấy phép không cho phép: thay thư viện, hoặc ghi ngoại lệ kèm lý do vào ${EXCEPTIONS_FILE} / ` +
        `A licence outside the permissive set: replace the package, or name it with the reason in ${EXCEPTIONS_FILE}`,
    );
  }
  out(summaryLine(packages, exceptions, errors));
  return errors.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
