// Front door of the reference daemons: what drivers, tests and the CLI may use.
export { spawnDaemon, type DaemonExit, type DaemonService, type RunningDaemon, type SpawnDaemonOptions } from './spawn.ts';
export { FLAVOURS, type Flavour } from './common/args.ts';
export { HTTP_SERVER_DURATION_BUCKETS } from './common/metrics.ts';
export { VALIDATE_ROUTE } from './validatord/index.ts';
