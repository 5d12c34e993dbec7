/**
 * Where a school's adapter comes from. The sources file names it by reference: a built-in id
 * (`rest`), a path to a module or folder relative to the file (`./adapters/smas`), or the name of an
 * installed npm package (`edubridge-adapter-smas`). A reference is resolved once into a specifier the
 * catalogue loads: the built-in id, or the absolute path of the module or package folder.
 */
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Adapter } from '../../sdk/adapter.ts';
import { loadAdapter as loadAdapterModule } from '../../sdk/conformance/load.ts';
import { type AdapterError, hubError } from '../../sdk/errors.ts';
import { SDK_VERSION, sdkCompatible } from '../../sdk/version.ts';

/** The adapters a process can load: the built-in ones by id, any other from its module. */
export interface AdapterCatalogue {
  readonly builtIns: readonly string[];
  /** The adapter at a specifier (a built-in id or a module's absolute path). */
  load(specifier: string, shown?: string): Promise<Adapter>;
}

/** A catalogue over the built-in loaders the composition root hands in (src/ never imports adapters/). */
export function createAdapterCatalogue(builtIns: Record<string, () => Promise<Adapter>>): AdapterCatalogue {
  const loaded = new Map<string, Promise<Adapter>>();
  const load = async (specifier: string, shown: string): Promise<Adapter> => {
    const builtIn = builtIns[specifier];
    return builtIn ? await builtIn() : await loadAdapterModule(specifier, shown);
  };
  return {
    builtIns: Object.keys(builtIns),
    load(specifier, shown = specifier) {
      let pending = loaded.get(specifier);
      if (!pending) {
        pending = load(specifier, shown);
        // A failed load is not kept: the vendor may fix the module and the next run try again.
        pending.catch(() => loaded.delete(specifier));
        loaded.set(specifier, pending);
      }
      return pending;
    },
  };
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** The folder of an installed package, looked for in node_modules from `from` up to the root. */
async function packageFolder(name: string, from: string): Promise<string | undefined> {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (await isDirectory(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

const isPath = (reference: string) =>
  reference === '.' ||
  reference === '..' ||
  reference.startsWith('./') ||
  reference.startsWith('../') ||
  isAbsolute(reference);

/**
 * The specifier of a reference, or the problem with it. A package is looked for beside the sources
 * file first (a district installs its adapters there), then beside the hub.
 */
export async function resolveAdapterReference(
  reference: string,
  options: { sourcesDir: string; builtIns: readonly string[]; hubDir?: string },
): Promise<{ specifier: string } | { problem: { vi: string; en: string } }> {
  if (options.builtIns.includes(reference)) return { specifier: reference };
  if (isPath(reference)) {
    const path = resolve(options.sourcesDir, reference);
    if (!(await stat(path).catch(() => undefined))) {
      return {
        problem: {
          vi: 'không có tệp hay thư mục này (đường dẫn tính từ thư mục của tệp nguồn)',
          en: "no such file or folder (the path is taken from the sources file's folder)",
        },
      };
    }
    return { specifier: path };
  }
  const folder =
    (await packageFolder(reference, options.sourcesDir)) ??
    (await packageFolder(reference, options.hubDir ?? process.cwd()));
  if (!folder) {
    return {
      problem: {
        vi: `không phải adapter có sẵn (${options.builtIns.join(', ')}) và không có gói npm tên này đã cài`,
        en: `not a built-in adapter (${options.builtIns.join(', ')}) and no npm package of that name is installed`,
      },
    };
  }
  return { specifier: folder };
}

/** The SDK problem of an adapter a school names, or undefined when this hub can run it. */
export function incompatibility(adapter: Adapter, school: string): AdapterError | undefined {
  const built = adapter.sdkVersion;
  if (built !== undefined && sdkCompatible(built)) return undefined;
  return hubError('SOURCE_ADAPTER_INCOMPATIBLE', {
    school,
    adapter: adapter.id,
    adapterSdk: built ?? { vi: '(không khai báo)', en: '(none declared)' },
    hubSdk: SDK_VERSION,
  });
}
