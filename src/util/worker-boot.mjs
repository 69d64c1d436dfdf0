// Worker threads do not inherit the parent's `--import tsx` loader (Node 20): register it here,
// then load the TypeScript worker. Kept as .mjs so it runs before any loader exists.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
