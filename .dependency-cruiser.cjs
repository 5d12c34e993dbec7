// The rooms of DESIGN.md ("Layout": what each may import), checked over the import graph by
// `npm run boundaries` (dependency-cruiser) in `npm test`. A rule here is the table's row; an
// import that breaks one fails the check, naming the rule, the importer and the imported file.
// Tests and benchmarks may import anything (DESIGN.md), so the rules look at runtime files only.
const RUNTIME = '.*(?<!\\.test)\\.ts$';
const room = (from, mayImport, comment) => ({
  name: `${from.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}-imports`,
  comment,
  severity: 'error',
  from: { path: `^${from}${RUNTIME}` },
  to: {
    path: '^(src|adapters|mappings|sandbox|test|bench)/',
    pathNot: `^(${[from, ...mayImport].join('|')})`,
  },
});

module.exports = {
  forbidden: [
    room(
      'src/model/',
      ['mappings/codes/'],
      'the model is pure: nothing of ours but the code lists, which are data',
    ),
    room('src/sdk/', ['src/model/'], 'the SDK stands on the model only'),
    room('adapters/', ['src/sdk/', 'src/model/'], 'an adapter sees the SDK and the model only'),
    room(
      'mappings/',
      ['src/model/'],
      'a mapping turns canonical records into a target format: the model only',
    ),
    room('src/store/', ['src/model/'], 'the store knows the model only'),
    room(
      'src/gateway/',
      ['src/model/'],
      'the gateway client is on its own (the model for its error catalogue)',
    ),
    room(
      'src/targets/',
      ['src/gateway/', 'mappings/', 'src/model/', 'src/sdk/'],
      'a target: the gateway and the mappings',
    ),
    room('sandbox/', ['src/model/', 'src/sdk/'], 'the simulators follow the contracts, not the hub'),
    {
      name: 'api-imports-app',
      comment:
        'the app mounts the API: the API does not reach back into the app (its problem type belongs to it)',
      severity: 'error',
      from: { path: `^src/api/${RUNTIME}` },
      to: { path: '^src/app/' },
    },
    {
      name: 'runtime-imports-tests',
      comment: 'src/ never imports sandbox/ or test/ (DESIGN.md)',
      severity: 'error',
      from: { path: `^src/${RUNTIME}` },
      to: { path: '^(sandbox|test|bench)/' },
    },
    {
      name: 'adapter-imports-another',
      comment: 'an adapter is one folder: what two share belongs in the SDK',
      severity: 'error',
      from: { path: `^adapters/([^/]+)/${RUNTIME}` },
      to: { path: '^adapters/', pathNot: '^adapters/$1/' },
    },
    {
      name: 'no-circular',
      comment: 'a loop in the import graph makes two modules one: cut it',
      severity: 'error',
      from: { path: `^(src|adapters|mappings|sandbox)/${RUNTIME}` },
      // A loop of `import type` only is no loop at run time (the types vanish): not counted.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^src/console/app/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
