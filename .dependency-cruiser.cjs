/**
 * The dependency rule of src/ (README "Architecture"): each folder lists the folders it may import.
 * Data flows one way — contract/util ← config ← shape, judge ← probe ← record ← telemetry ←
 * collect ← daemons ← drive; judgement (analyze ← gate ← report) sits beside the drivers, never
 * importing them; app wires both; cli calls app. `npm test` runs it (test/architecture.test.ts);
 * `npx depcruise src` prints the same violations.
 */
const ALLOWED = {
  contract: [],
  util: [],
  config: ['util', 'contract'],
  shape: ['util', 'contract', 'config'],
  judge: ['util', 'contract', 'config'],
  probe: ['util', 'contract', 'config', 'shape'],
  record: ['util', 'contract', 'config', 'shape', 'probe'],
  telemetry: ['util', 'contract', 'config', 'probe', 'record'],
  collect: ['util', 'contract', 'config', 'shape', 'judge', 'telemetry'],
  daemons: ['util', 'contract', 'config', 'telemetry'],
  review: ['util', 'contract', 'config'],
  drive: ['util', 'contract', 'config', 'shape', 'judge', 'probe', 'record', 'telemetry', 'collect', 'daemons'],
  analyze: ['util', 'contract', 'config', 'shape', 'judge', 'probe', 'record', 'collect'],
  gate: ['util', 'contract', 'config', 'shape', 'judge', 'collect', 'analyze'],
  report: ['util', 'contract', 'config', 'shape', 'judge', 'probe', 'telemetry', 'collect', 'analyze', 'gate'],
  app: ['util', 'contract', 'config', 'shape', 'judge', 'probe', 'record', 'telemetry', 'collect', 'daemons', 'drive', 'analyze', 'gate', 'report', 'review'],
  cli: ['util', 'contract', 'config', 'app'],
};

const forbidden = [
  ...Object.entries(ALLOWED).map(([folder, allowed]) => ({
    name: `${folder}-imports-only-${allowed.length ? allowed.join('-') : 'itself'}`,
    comment: `src/${folder}/ may import only: ${allowed.length ? allowed.join(', ') : 'nothing outside itself'} (README "Architecture")`,
    severity: 'error',
    from: { path: `^src/${folder}/` },
    to: { path: '^src/', pathNot: `^src/(${[folder, ...allowed].join('|')})/` },
  })),
  {
    name: 'no-unknown-folder',
    comment: 'every folder under src/ has a place in the dependency rule (add it to ALLOWED)',
    severity: 'error',
    from: { path: '^src/', pathNot: `^src/(${Object.keys(ALLOWED).join('|')})/` },
    to: {},
  },
];

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
// Not part of dependency-cruiser's schema: read by test/architecture.test.ts.
Object.defineProperty(module.exports, 'ALLOWED', { value: ALLOWED, enumerable: false });
