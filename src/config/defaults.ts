import type { GauntletConfigInput } from './schema.ts';

/**
 * The embedded default: both reference validatord twins started by gauntlet on ephemeral
 * loopback ports, the embedded collector, and the shipped parity cases. Paths are relative
 * to the repository root, which is where the default applies.
 */
export const DEFAULT_CONFIG: GauntletConfigInput = {
  stack: {
    services: {
      validatord: {
        primary: 'rust',
        candidate: 'go',
        runtimes: {
          rust: { reference: { flavour: 'rust' } },
          go: { reference: { flavour: 'go' } },
        },
      },
    },
  },
  // 30 rounds of the 6 cases: enough samples per runtime for the latency judge to speak.
  parity: { cases: ['harness/parity/validatord.cases.yaml'], repeat: 30 },
  // The vectord suite is skipped (with a note) while the default stack has no vectord.
  smoke: { suites: ['harness/smoke/validatord.yaml', 'harness/smoke/vectord.yaml'] },
};
