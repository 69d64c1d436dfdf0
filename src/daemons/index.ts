// Front door of the reference daemons: what drivers, tests and the CLI may use.
export { DAEMON_SERVICES, referenceDaemonArgv, resolveTsxLoader, spawnDaemon, type DaemonExit, type DaemonService, type RunningDaemon, type SpawnDaemonOptions } from './spawn.ts';
export { FLAVOURS, type Flavour } from './common/args.ts';
export { HTTP_SERVER_DURATION_BUCKETS } from './common/metrics.ts';
export { VALIDATE_ROUTE } from './validatord/index.ts';
export {
  createCollectionRequest,
  createPrng,
  DEFAULT_VECTORD_WORKLOAD,
  defineVectordWorkload,
  deriveSeed,
  generateFilter,
  generatePoint,
  generateSearch,
  mixRequest,
  setupRequests,
  WORKLOAD_DIMENSIONS,
  type Prng,
  type SearchBody,
  type VectordRequest,
  type VectordWorkload,
  type WorkloadPoint,
} from './vectord/workload.ts';
export { VECTORD_DEFAULT_FAULT_ROUTE, VECTORD_ROUTES } from './vectord/routes.ts';
