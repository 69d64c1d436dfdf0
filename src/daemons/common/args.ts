import { parseArgs } from 'node:util';
import { TRACE_FAULTS, type TraceFault } from '../../config/schema.ts';
import { GauntletError } from '../../util/errors.ts';

/** The wire-format flavours every reference daemon comes in. */
export const FLAVOURS = ['rust', 'go'] as const;
export type Flavour = (typeof FLAVOURS)[number];

/**
 * Fault switches that change what a daemon does inside a request, not only how long it takes
 * (`--fault KIND`, repeatable; `GAUNTLET_FAULTS=a,b`): `n-plus-one` (one downstream call per
 * field instead of one), `extra-call` (an additional downstream call), `hidden-error` (an inner
 * span errors, the answer is unchanged), `retry` (the first downstream attempt fails and is
 * retried), `broken-propagation` (outgoing calls carry no `traceparent`).
 */
export { TRACE_FAULTS, type TraceFault } from '../../config/schema.ts';

/** Slows one named inner operation (a span name such as `validate record` or `search shard`). */
export interface OperationLatencyFault {
  op: string;
  ms: number;
}

export const DAEMON_USAGE =
  'usage: main.ts --flavour rust|go [--host 127.0.0.1] [--port 0] [--otlp-endpoint URL] ' +
  '[--fault-latency-ms N] [--fault-latency-pct P] [--fault-latency-ratio R] [--fault-route TEMPLATE] [--volatile-fields] ' +
  `[--fault ${TRACE_FAULTS.join('|')}]... [--fault-op SPAN-NAME --fault-op-latency-ms N] [--storaged-url URL]`;

export interface FaultLatency {
  /** Extra milliseconds added to a delayed request; 0 disables the fault. */
  ms: number;
  /** Fraction (0..1] of requests that get the delay, spread evenly (1 = every request). */
  ratio: number;
  /** Slow the handler down by this percentage of its own time (CPU spin), e.g. 20 = +20%. */
  pct?: number;
  /**
   * Route template that gets the delay (`/v1/collections/{name}/search`); undefined = the
   * daemon's default fault route. Every method on that template is affected.
   */
  route?: string | undefined;
}

export interface DaemonArgs {
  flavour: Flavour;
  host: string;
  port: number;
  /** Full OTLP/HTTP traces URL (…/v1/traces), or undefined when tracing is off. */
  tracesUrl: string | undefined;
  fault: FaultLatency;
  /**
   * Answers carry per-request values (request id, timestamps, duration, span id), as most real
   * services' do: the test bed for the noise model. Present only when on.
   */
  volatileFields?: true;
  /** Structural faults (see TRACE_FAULTS); present only when some are on. */
  traceFaults?: TraceFault[];
  /** Inner-operation latency fault; present only when on. */
  opLatency?: OperationLatencyFault;
  /** validatord: an external storaged to call instead of the embedded one. */
  storagedUrl?: string;
}

/**
 * Pure: argv (without node and script) + environment → daemon settings. Flags win over env.
 * Throws GAUNTLET_USAGE with the offending flag, so `spawnDaemon` can show it from stderr.
 */
export function parseDaemonArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): DaemonArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        flavour: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '0' },
        'otlp-endpoint': { type: 'string' },
        'fault-latency-ms': { type: 'string' },
        'fault-latency-ratio': { type: 'string' },
        'fault-latency-pct': { type: 'string' },
        'fault-route': { type: 'string' },
        'volatile-fields': { type: 'boolean' },
        fault: { type: 'string', multiple: true },
        'fault-op': { type: 'string' },
        'fault-op-latency-ms': { type: 'string' },
        'storaged-url': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new GauntletError('GAUNTLET_USAGE', (error as Error).message, { hint: DAEMON_USAGE });
  }

  const flavour = values.flavour;
  if (!FLAVOURS.includes(flavour as Flavour)) {
    throw new GauntletError('GAUNTLET_USAGE', `--flavour must be one of ${FLAVOURS.join(', ')} (got ${flavour ?? 'nothing'})`, {
      path: '--flavour',
      hint: DAEMON_USAGE,
    });
  }
  const port = parseNumber('--port', values.port, 0, 65_535);
  if (!Number.isInteger(port)) throw new GauntletError('GAUNTLET_USAGE', `--port must be an integer (got ${values.port})`, { path: '--port' });

  const ms = parseNumber('--fault-latency-ms', values['fault-latency-ms'] ?? env.GAUNTLET_FAULT_LATENCY_MS ?? '0', 0, 600_000);
  const ratio = parseNumber('--fault-latency-ratio', values['fault-latency-ratio'] ?? env.GAUNTLET_FAULT_LATENCY_RATIO ?? '1', 0, 1);
  const pct = parseNumber('--fault-latency-pct', values['fault-latency-pct'] ?? env.GAUNTLET_FAULT_LATENCY_PCT ?? '0', 0, 10_000);
  const route = values['fault-route'] ?? env.GAUNTLET_FAULT_ROUTE;
  if (route !== undefined && !route.startsWith('/')) {
    throw new GauntletError('GAUNTLET_USAGE', `--fault-route must be a route template starting with / (got ${route})`, { path: '--fault-route' });
  }

  const volatileFields = values['volatile-fields'] === true || /^(1|true|yes|on)$/i.test(env.GAUNTLET_VOLATILE_FIELDS ?? '');
  const traceFaults = parseTraceFaults(values.fault ?? (env.GAUNTLET_FAULTS ? env.GAUNTLET_FAULTS.split(',') : []));
  const op = values['fault-op'] ?? env.GAUNTLET_FAULT_OP;
  const opMs = parseNumber('--fault-op-latency-ms', values['fault-op-latency-ms'] ?? env.GAUNTLET_FAULT_OP_LATENCY_MS ?? '0', 0, 600_000);
  if (opMs > 0 && !op) throw new GauntletError('GAUNTLET_USAGE', '--fault-op-latency-ms needs --fault-op SPAN-NAME (the inner operation to slow)', { path: '--fault-op' });
  const storagedUrl = values['storaged-url'] ?? env.GAUNTLET_STORAGED_URL;
  return {
    flavour: flavour as Flavour,
    host: values.host,
    port,
    tracesUrl: resolveTracesUrl(values['otlp-endpoint'], env),
    // The key is left out when unset so the settings compare equal to `{ ms, ratio }`.
    fault: { ms, ratio, ...(pct > 0 ? { pct } : {}), ...(route === undefined ? {} : { route }) },
    ...(volatileFields ? { volatileFields: true as const } : {}),
    ...(traceFaults.length ? { traceFaults } : {}),
    ...(opMs > 0 && op ? { opLatency: { op, ms: opMs } } : {}),
    ...(storagedUrl ? { storagedUrl } : {}),
  };
}

function parseTraceFaults(raw: readonly string[]): TraceFault[] {
  const out: TraceFault[] = [];
  for (const item of raw.map((r) => r.trim()).filter(Boolean)) {
    if (!TRACE_FAULTS.includes(item as TraceFault)) {
      throw new GauntletError('GAUNTLET_USAGE', `--fault must be one of ${TRACE_FAULTS.join(', ')} (got ${item})`, { path: '--fault', hint: DAEMON_USAGE });
    }
    if (!out.includes(item as TraceFault)) out.push(item as TraceFault);
  }
  return out;
}

/**
 * The OTLP spec's precedence: an explicit base endpoint gets `/v1/traces` appended; the
 * signal-specific OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is already the full URL.
 */
function resolveTracesUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag) return `${flag.replace(/\/+$/, '')}/v1/traces`;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

function parseNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new GauntletError('GAUNTLET_USAGE', `${flag} must be a number in [${min}, ${max}] (got ${text})`, { path: flag });
  }
  return value;
}
