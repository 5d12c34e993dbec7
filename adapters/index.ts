/**
 * The adapters that ship with EduBridge, loaded on first use: a command that needs only the Excel
 * adapter does not pay for loading the SOAP client.
 */
import type { Adapter } from '../src/sdk/index.ts';

const LOADERS = {
  excel: () => import('./excel/index.ts'),
  rest: () => import('./rest/index.ts'),
  soap: () => import('./soap/index.ts'),
  oneroster: () => import('./oneroster/index.ts'),
} as const;

export type BuiltInAdapterId = keyof typeof LOADERS;
export const BUILT_IN_ADAPTERS = Object.keys(LOADERS) as BuiltInAdapterId[];

/** The built-in adapter with this id. */
export async function loadBuiltInAdapter(id: BuiltInAdapterId): Promise<Adapter> {
  const module = await LOADERS[id]();
  return module.default as Adapter;
}
