export * from './compare.ts';
export * from './names.ts';
export * from './offline/index.ts';
