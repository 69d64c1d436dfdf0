import type { GauntletConfig } from '../config/index.ts';
import { spawnDaemon, type DaemonService } from '../daemons/index.ts';
import type { RuntimeRole } from '../probe/index.ts';
import { GauntletError } from '../util/errors.ts';
import { pickPersistentDaemon, type PersistentStack } from './persistent/resolve.ts';

export interface RuntimeEndpoint {
  name: string;
  role: RuntimeRole;
  url: string;
  headers: Record<string, string>;
  /** True when gauntlet started a reference daemon for it. */
  managed: boolean;
  /** The persistent stack's daemon serving it, when `stack.persistent` resolved it, and whether it exports spans. */
  persistent?: { daemon: string; exportsSpans: boolean };
}

export interface ServiceEndpoints {
  service: string;
  primary: RuntimeEndpoint;
  candidate: RuntimeEndpoint;
  others: RuntimeEndpoint[];
}

export interface RunningStack {
  services: Map<string, ServiceEndpoints>;
  stop(): Promise<void>;
}

/** Fault-injection (and volatile-field) switches travel to the reference daemon as its documented environment variables. */
function faultEnv(ref: {
  faultLatencyMs?: number | undefined;
  faultLatencyPct?: number | undefined;
  faultRoute?: string | undefined;
  volatileFields?: boolean | undefined;
  faults?: readonly string[] | undefined;
  faultOp?: string | undefined;
  faultOpLatencyMs?: number | undefined;
}): Record<string, string> {
  const env: Record<string, string> = {};
  if (ref.faults?.length) env.GAUNTLET_FAULTS = ref.faults.join(',');
  if (ref.faultOp) env.GAUNTLET_FAULT_OP = ref.faultOp;
  if (ref.faultOpLatencyMs) env.GAUNTLET_FAULT_OP_LATENCY_MS = String(ref.faultOpLatencyMs);
  if (ref.volatileFields) env.GAUNTLET_VOLATILE_FIELDS = '1';
  if (ref.faultLatencyMs) env.GAUNTLET_FAULT_LATENCY_MS = String(ref.faultLatencyMs);
  if (ref.faultLatencyPct) env.GAUNTLET_FAULT_LATENCY_PCT = String(ref.faultLatencyPct);
  if (ref.faultRoute) env.GAUNTLET_FAULT_ROUTE = ref.faultRoute;
  return env;
}

const REFERENCE_SERVICES: ReadonlySet<string> = new Set<DaemonService>(['validatord', 'vectord']);

/**
 * Resolve every configured runtime to a base URL, starting the reference daemons the config asks
 * for (on 127.0.0.1, port 0) with their OTLP exporters pointed at the collector — or, given a
 * running persistent stack (`stack.persistent`), using its twins instead of starting any.
 */
export async function startStack(
  config: GauntletConfig,
  opts: { otlpEndpoint: string | undefined; only?: ReadonlySet<string>; persistent?: PersistentStack | undefined },
): Promise<RunningStack> {
  const stops: Array<() => Promise<void>> = [];
  const services = new Map<string, ServiceEndpoints>();
  const stop = async () => {
    await Promise.allSettled(stops.map((s) => s()));
  };
  // Persistent daemons already given to a runtime: an A/A secondary gets a second twin when there is one.
  const taken = new Set<string>();
  try {
    for (const [service, svc] of Object.entries(config.stack.services)) {
      if (opts.only && !opts.only.has(service)) continue;
      const endpoints: RuntimeEndpoint[] = [];
      // Start a service's runtimes concurrently: each reference daemon takes a moment to boot.
      await Promise.all(
        Object.entries(svc.runtimes).map(async ([name, rt]) => {
          const role: RuntimeRole = name === svc.primary ? 'primary' : name === svc.candidate ? 'candidate' : 'secondary';
          if (rt.reference && opts.persistent) {
            const daemon = pickPersistentDaemon(
              opts.persistent,
              { service, flavour: rt.reference.flavour, env: faultEnv(rt.reference), runtime: name, path: `stack.services.${service}.runtimes.${name}.reference` },
              taken,
            );
            endpoints.push({ name, role, url: daemon.url, headers: rt.headers ?? {}, managed: false, persistent: { daemon: daemon.name, exportsSpans: 'OTEL_EXPORTER_OTLP_ENDPOINT' in daemon.env } });
          } else if (rt.reference) {
            if (!REFERENCE_SERVICES.has(service)) {
              throw new GauntletError('GAUNTLET_CONFIG_INVALID', `no reference daemon exists for service "${service}" (available: ${[...REFERENCE_SERVICES].join(', ')})`, {
                path: `stack.services.${service}.runtimes.${name}.reference`,
                runtime: name,
                hint: 'give this runtime a `url` instead',
              });
            }
            const daemon = await spawnDaemon({
              service: service as DaemonService, // checked against REFERENCE_SERVICES above
              flavour: rt.reference.flavour,
              ...(opts.otlpEndpoint ? { otlpEndpoint: opts.otlpEndpoint } : {}),
              env: faultEnv(rt.reference),
            });
            stops.push(() => daemon.stop());
            endpoints.push({ name, role, url: daemon.url, headers: rt.headers ?? {}, managed: true });
          } else {
            endpoints.push({ name, role, url: rt.url!, headers: rt.headers ?? {}, managed: false });
          }
        }),
      );
      const byRole = (r: RuntimeRole) => endpoints.find((e) => e.role === r)!;
      services.set(service, {
        service,
        primary: byRole('primary'),
        candidate: byRole('candidate'),
        others: endpoints.filter((e) => e.role === 'secondary').sort((a, b) => a.name.localeCompare(b.name)),
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { services, stop };
}
