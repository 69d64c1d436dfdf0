import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GauntletError } from '../util/errors.ts';

export type Command = 'run' | 'smoke' | 'parity' | 'analyze' | 'gate' | 'report' | 'baseline' | 'runs' | 'schema' | 'daemon' | 'record' | 'mirror' | 'replay' | 'import' | 'watch' | 'load' | 'ingest' | 'help' | 'version';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

const COMMON: OptionSpec = {
  config: { type: 'string', short: 'c' },
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  quiet: { type: 'boolean', short: 'q' },
};

const OPTIONS: Record<Exclude<Command, 'help' | 'version'>, OptionSpec> = {
  run: {
    ...COMMON,
    json: { type: 'string' },
    'gate-json': { type: 'string' },
    junit: { type: 'string' },
    markdown: { type: 'string' },
    html: { type: 'string' },
    baseline: { type: 'string' },
    ledger: { type: 'string' },
    'reports-dir': { type: 'string' },
    repeat: { type: 'string' },
    pushgateway: { type: 'string' },
    phase: { type: 'string' },
    skip: { type: 'string' },
  },
  smoke: { ...COMMON, json: { type: 'string' }, junit: { type: 'string' }, run: { type: 'string' } },
  parity: { ...COMMON, json: { type: 'string' }, 'fail-on-divergence': { type: 'boolean' }, repeat: { type: 'string' } },
  analyze: {
    ...COMMON,
    run: { type: 'string' },
    json: { type: 'string' },
    'fail-on-divergence': { type: 'boolean' },
    source: { type: 'string' },
    url: { type: 'string' },
    window: { type: 'string' },
    end: { type: 'string' },
    service: { type: 'string' },
    metric: { type: 'string' },
    primary: { type: 'string' },
    candidate: { type: 'string' },
  },
  watch: {
    ...COMMON,
    interval: { type: 'string' },
    listen: { type: 'string' },
    'max-cycles': { type: 'string' },
    repeat: { type: 'string' },
    spanmetrics: { type: 'boolean' },
  },
  runs: { ...COMMON },
  gate: { ...COMMON, run: { type: 'string' }, baseline: { type: 'string' }, ledger: { type: 'string' }, json: { type: 'string' }, 'gate-json': { type: 'string' }, junit: { type: 'string' }, markdown: { type: 'string' }, html: { type: 'string' }, pushgateway: { type: 'string' } },
  report: { ...COMMON, run: { type: 'string' }, baseline: { type: 'string' }, ledger: { type: 'string' }, html: { type: 'string' } },
  baseline: { ...COMMON, run: { type: 'string' }, out: { type: 'string' } },
  schema: { help: { type: 'boolean', short: 'h' }, out: { type: 'string' } },
  record: {
    config: { type: 'string', short: 'c' },
    help: { type: 'boolean', short: 'h' },
    listen: { type: 'string' },
    upstream: { type: 'string' },
    out: { type: 'string' },
    service: { type: 'string' },
    'max-bytes': { type: 'string' },
    'max-total-bytes': { type: 'string' },
    'max-body-bytes': { type: 'string' },
    'allow-remote': { type: 'boolean' },
  },
  mirror: {
    ...COMMON,
    listen: { type: 'string' },
    primary: { type: 'string' },
    candidate: { type: 'string' },
    secondary: { type: 'string' },
    service: { type: 'string' },
    queue: { type: 'string' },
    concurrency: { type: 'string' },
    'timeout-ms': { type: 'string' },
    'max-body-bytes': { type: 'string' },
    unsafe: { type: 'boolean' },
    sample: { type: 'string' },
    'metrics-listen': { type: 'string' },
    'allow-remote': { type: 'boolean' },
    'gate-json': { type: 'string' },
  },
  replay: {
    ...COMMON,
    json: { type: 'string' },
    'fail-on-divergence': { type: 'boolean' },
    service: { type: 'string' },
    speed: { type: 'string' },
    rate: { type: 'string' },
    fast: { type: 'boolean' },
    concurrency: { type: 'string' },
    'allow-unsafe': { type: 'boolean' },
    limit: { type: 'string' },
    'max-duration': { type: 'string' },
    'skip-invalid': { type: 'boolean' },
  },
  import: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' }, out: { type: 'string' }, service: { type: 'string' }, host: { type: 'string' }, 'skip-invalid': { type: 'boolean' } },
  load: { ...COMMON, json: { type: 'string' }, run: { type: 'string' }, workers: { type: 'string' } },
  ingest: { ...COMMON, json: { type: 'string' }, service: { type: 'string' }, runtimes: { type: 'string' } },
  daemon: {
    help: { type: 'boolean', short: 'h' },
    flavour: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'otlp-endpoint': { type: 'string' },
  },
};

export interface ParsedCLI {
  command: Command;
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export const USAGE = `gauntlet — prove a service written twice behaves the same, from its telemetry

Usage:
  gauntlet run [--config FILE] [--repeat N] [--baseline FILE] [--reports-dir DIR] [--html FILE]
                                                      the whole gauntlet on the configured stack (npm start): parity
                                                      (+ latency repeats) → analysis → gate → reports; exit 1 if the gate fails
  gauntlet smoke [SUITES.yaml ...] [--junit FILE] [--json FILE] [--run ID]
                                                      smoke chain: each check against every runtime, response + trace
                                                      assertions judged from the store; exit 1 if any check fails
  gauntlet parity [CASES.yaml ...] [--json FILE]      send parity cases to both runtimes, judge from telemetry
  gauntlet analyze --run ID [--json FILE]             re-judge a stored run in a fresh process
  gauntlet analyze --source prometheus --url URL [--window 5m] [--end TIME] [--service S] [--metric http|spanmetrics|gauntlet] [--json FILE|-]
                                                      judge the runtimes' latency histograms and error rates from any
                                                      Prometheus-compatible backend (Mimir, Thanos, VictoriaMetrics)
  gauntlet watch [--interval 15s] [--listen 127.0.0.1:9464] [--max-cycles N] [--spanmetrics]
                                                      probe daemon: parity cases every interval, judged cycles as metrics
                                                      on /metrics (+ /healthz); SIGINT/SIGTERM stop it cleanly
  gauntlet gate --run ID [--baseline FILE] [--ledger FILE] [--junit F] [--markdown F] [--json F] [--gate-json F] [--html F]
                                                      the CI verdict: ledger labels, latency, error rate, thresholds, baseline
  gauntlet report --run ID --html FILE [--ledger FILE] [--baseline FILE]
                                                      a self-contained HTML report of a stored run (no network needed to view)
  gauntlet baseline save --run ID --out FILE          save a compact baseline (latency histograms + divergences)
  gauntlet runs                                       list runs in the span store
  gauntlet schema [config|cases] [--out FILE]         print the JSON Schema of a file format
  gauntlet record --listen 127.0.0.1:PORT --upstream URL --out FILE [--service NAME] [--max-bytes N]
                                                      recording reverse proxy: forward, redact, append NDJSON
  gauntlet mirror --listen 127.0.0.1:PORT [--primary URL --candidate URL [--secondary URL]] [--service NAME]
                 [--queue N] [--concurrency N] [--timeout-ms N] [--sample R] [--unsafe] [--metrics-listen HOST:PORT]
                                                      live shadow traffic: answer clients from the primary, copy each request
                                                      to the candidate off the hot path (bounded queue, drops counted), compare,
                                                      spans to the store + /metrics; SIGINT/SIGTERM drain, flush, exit 130
  gauntlet replay RECORDING... [--speed X | --rate N | --fast] [--concurrency N] [--allow-unsafe] [--limit N] [--json FILE]
                                                      send recorded requests to every runtime, judge from telemetry
  gauntlet import har FILE --out FILE [--service NAME] [--host HOST]
                                                      convert a HAR 1.2 export to a recording (redacted)
  gauntlet load SCENARIOS.yaml [--json FILE] [--workers N]
                                                      k6-model load on both runtimes of a service in ABBA blocks: rate, latency
                                                      (from the intended start), errors, thresholds, latency verdict per route
  gauntlet load --run ID [--json FILE]                re-judge a stored load run (engine or imported k6) from the store
  gauntlet ingest k6 FILE... [--service NAME] [--runtimes A,B] [--json FILE]
                                                      import k6 --out json NDJSON or an end-of-test summary JSON as a load run
  gauntlet daemon validatord --flavour rust|go [--port N] [--otlp-endpoint URL]
                                                      run a reference twin in the foreground

Options:
  -c, --config FILE        gauntlet.config.{ts,yaml,json} (default: found in the current directory, else the embedded default)
      --store PATH         span store (default: .gauntlet/store.duckdb)
      --fail-on-divergence exit 1 when any divergence is found
      --repeat N           send every parity case N times (ABBA-interleaved pairs; latency needs samples)
      --pushgateway URL    run/gate: push the run's metrics to a Prometheus Pushgateway (after writing its reports)
  -q, --quiet              print only the summary line
  -h, --help

Exit codes: 0 ok · 1 gate failed (divergence with --fail-on-divergence) · 2 bad usage/config/input · 130 interrupted`;

/** Pure argument parsing: tests call it without a process. */
export function parseCLI(argv: readonly string[]): ParsedCLI {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') return { command: 'help', options: {}, positionals: [] };
  if (first === '--version' || first === '-v' || first === 'version') return { command: 'version', options: {}, positionals: [] };
  if (!(first in OPTIONS)) {
    throw new GauntletError('GAUNTLET_USAGE', `unknown command "${first}"`, { hint: `one of: ${Object.keys(OPTIONS).join(', ')}; see gauntlet --help` });
  }
  const command = first as keyof typeof OPTIONS;
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS[command], allowPositionals: true, strict: true });
  } catch (err) {
    throw new GauntletError('GAUNTLET_USAGE', (err as Error).message, { hint: `see gauntlet ${command} --help` });
  }
  const options = parsed.values as Record<string, string | boolean | undefined>;
  if (options.help) return { command: 'help', options: {}, positionals: [] };
  if (command === 'report') {
    // `gauntlet report RUN --html FILE` and `gauntlet report --run RUN --html FILE` are the same.
    if (!options.run && parsed.positionals.length === 1) options.run = parsed.positionals[0];
    if (!options.run || !options.html || parsed.positionals.length > (options.run === parsed.positionals[0] ? 1 : 0)) {
      throw new GauntletError('GAUNTLET_USAGE', 'usage: gauntlet report --run ID --html FILE', { hint: 'list stored runs with `gauntlet runs`' });
    }
  }
  if ((command === 'gate' || command === 'baseline') && !options.run) {
    throw new GauntletError('GAUNTLET_USAGE', `${command} needs --run ID`, { hint: 'list stored runs with `gauntlet runs`' });
  }
  if (command === 'baseline' && (parsed.positionals[0] !== 'save' || !options.out)) {
    throw new GauntletError('GAUNTLET_USAGE', 'usage: gauntlet baseline save --run ID --out FILE');
  }
  if (command === 'analyze') {
    const source = options.source ?? 'store';
    if (source !== 'store' && source !== 'prometheus') throw new GauntletError('GAUNTLET_USAGE', `--source must be store or prometheus, got "${String(source)}"`);
    if (source === 'prometheus' && !options.url) {
      throw new GauntletError('GAUNTLET_USAGE', 'analyze --source prometheus needs --url URL', { hint: 'the base URL of a Prometheus-compatible query API, e.g. http://127.0.0.1:9090' });
    }
    if (source === 'store' && !options.run) throw new GauntletError('GAUNTLET_USAGE', 'analyze needs --run ID', { hint: 'list stored runs with `gauntlet runs`, or judge live metrics with --source prometheus --url URL' });
  }
  if (options['max-cycles'] !== undefined && !/^[1-9]\d{0,8}$/.test(String(options['max-cycles']))) {
    throw new GauntletError('GAUNTLET_USAGE', `--max-cycles must be a whole number from 1, got "${String(options['max-cycles'])}"`);
  }
  if (options.repeat !== undefined && !/^[1-9]\d{0,5}$/.test(String(options.repeat))) {
    throw new GauntletError('GAUNTLET_USAGE', `--repeat must be a whole number from 1 to 999999, got "${String(options.repeat)}"`);
  }
  if (command === 'schema' && parsed.positionals.length > 1) throw new GauntletError('GAUNTLET_USAGE', 'schema takes at most one format name');
  if (command === 'record' && (!options.listen || !options.upstream || !options.out)) {
    throw new GauntletError('GAUNTLET_USAGE', 'record needs --listen HOST:PORT, --upstream URL and --out FILE', { hint: 'e.g. gauntlet record --listen 127.0.0.1:8080 --upstream http://127.0.0.1:3100 --out traffic.ndjson' });
  }
  if (command === 'replay' && parsed.positionals.length === 0) throw new GauntletError('GAUNTLET_USAGE', 'replay needs a recording file', { hint: 'gauntlet replay traffic.ndjson' });
  if (command === 'import' && (parsed.positionals[0] !== 'har' || parsed.positionals.length !== 2 || !options.out)) {
    throw new GauntletError('GAUNTLET_USAGE', 'usage: gauntlet import har FILE --out FILE', { hint: 'HAR 1.2 exports from browser devtools, mitmproxy or Charles' });
  }
  if (command === 'load') {
    if (options.run ? parsed.positionals.length > 0 : parsed.positionals.length !== 1) {
      throw new GauntletError('GAUNTLET_USAGE', 'usage: gauntlet load SCENARIOS.yaml, or gauntlet load --run ID', { hint: 'e.g. gauntlet load load/vectord.scenarios.yaml' });
    }
    if (options.workers !== undefined && !/^[1-9]\d?$/.test(String(options.workers))) throw new GauntletError('GAUNTLET_USAGE', `--workers must be a whole number from 1 to 99, got "${String(options.workers)}"`);
  }
  if (command === 'ingest' && (parsed.positionals[0] !== 'k6' || parsed.positionals.length < 2)) {
    throw new GauntletError('GAUNTLET_USAGE', 'usage: gauntlet ingest k6 FILE... (k6 --out json NDJSON, or --summary-export / handleSummary JSON)');
  }
  if (command === 'daemon') {
    if (parsed.positionals[0] !== 'validatord') throw new GauntletError('GAUNTLET_USAGE', 'daemon needs a service: validatord');
    if (options.flavour !== 'rust' && options.flavour !== 'go') throw new GauntletError('GAUNTLET_USAGE', '--flavour must be rust or go');
  }
  return { command, options, positionals: parsed.positionals };
}
