// Types of scripts/check-dependencies.mjs, for the TypeScript that imports it (its test).
export interface ProductionPackage {
  name: string;
  version: string;
  /** The SPDX expression (or what the package wrote), `NOASSERTION` when none. */
  licence: string;
  /** Installed only where an optional dependency applies (a platform binary, say). */
  optional: boolean;
}

export interface DependencyError {
  rule: 'DEP_UNKNOWN' | 'DEP_LICENCE_CHANGED' | 'DEP_LICENCE_NOT_PERMISSIVE' | 'DEP_LICENCE_MISSING';
  name: string;
  version: string;
  licence: string;
  message: string;
}

export type KnownList = Record<string, string | string[]>;
export type Exceptions = Record<string, { licence: string; reason: string }>;

export const KNOWN_FILE: string;
export const EXCEPTIONS_FILE: string;
export const PERMISSIVE: ReadonlySet<string>;
export const NO_LICENCE: string;
export const RULES: Record<DependencyError['rule'], { vi: string; en: string }>;

export function licenceText(license: unknown, licenses?: unknown): string | undefined;
export function isPermissive(expression: string): boolean;
export function productionPackages(
  lockfile: unknown,
  readManifest?: (path: string) => { license?: unknown; licenses?: unknown } | undefined,
): ProductionPackage[];
export function knownListOf(packages: readonly ProductionPackage[]): KnownList;
export function checkPackages(
  packages: readonly ProductionPackage[],
  known: KnownList,
  exceptions: Exceptions,
): { errors: DependencyError[]; warnings: string[] };
export function renderTable(packages: readonly ProductionPackage[]): string;
export function summaryLine(
  packages: readonly ProductionPackage[],
  exceptions: Exceptions,
  errors: readonly DependencyError[],
): string;
export function main(
  argv: readonly string[],
  io?: { root?: string; out?: (line: string) => void; err?: (line: string) => void },
): number;
