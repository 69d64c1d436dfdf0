/**
 * Every command, its positionals and its options: what parseCLI parses, what the commands receive
 * typed, and what `gauntlet --help` / `gauntlet <command> --help` print. Cross-option rules that a
 * single option cannot express live in each command's `check`.
 */
import { PHASES } from '../config/index.ts';
import { opt, usageError, type Option, type OptionTable, type OptionsOf } from './options.ts';

/** Values before required options are enforced: what `check` sees (it may fill some in). */
export type UncheckedOptionsOf<T extends OptionTable> = { -readonly [K in keyof T]: (T[K] extends Option<infer V, boolean> ? V : never) | undefined };

export interface CommandSpec<T extends OptionTable = OptionTable> {
  /** One line in `gauntlet --help`. */
  readonly summary: string;
  /** Positionals as shown in the usage line, e.g. `[SUITES.yaml ...]`. */
  readonly args?: string;
  /** Usage lines when the command has more than one form (default: derived from args and required options). */
  readonly forms?: readonly string[];
  /** A paragraph for `gauntlet <command> --help`. */
  readonly description?: string;
  readonly options: T;
  readonly examples?: readonly string[];
  /** What exit 1 means for this command, when it can exit 1. */
  readonly exit1?: string;
  /** Rules across options and positionals; may fill in values (e.g. a positional run id). Throws usage errors. */
  check?(o: UncheckedOptionsOf<T>, positionals: string[]): void;
}

function defineCommand<const T extends OptionTable>(spec: CommandSpec<T>): CommandSpec<T> {
  return spec;
}

const common = {
  config: opt.string({ short: 'c', placeholder: 'FILE', description: 'gauntlet.config.{ts,yaml,json}', defaultText: 'found in the current directory, else the embedded default' }),
  store: opt.string({ placeholder: 'PATH', description: 'span store', defaultText: 'store.path of the config, .gauntlet/store.duckdb' }),
  help: opt.boolean({ short: 'h', description: "show this command's help" }),
  quiet: opt.boolean({ short: 'q', description: 'print only the summary line' }),
} as const;
const help = common.help;
const config = common.config;

const RUNS_HINT = 'list stored runs with `gauntlet runs`';
const runId = (description: string) => opt.string({ placeholder: 'ID', description, hint: RUNS_HINT });
const requiredRunId = (description: string) => opt.string({ placeholder: 'ID', description, hint: RUNS_HINT, required: true });
const repeat = opt.int({ max: 999_999, description: 'send every parity case N times (ABBA-interleaved pairs; latency needs samples)', defaultText: 'parity.repeat of the config' });
const failOnDivergence = opt.boolean({ description: 'exit 1 when any divergence is found' });
const file = (description: string) => opt.string({ placeholder: 'FILE', description });
const requiredFile = (description: string) => opt.string({ placeholder: 'FILE', description, required: true });
const gateOutputs = {
  json: file('write the parity report as JSON'),
  'gate-json': file('write the gate result as JSON'),
  junit: file('write the gate as JUnit XML'),
  markdown: file('write a Markdown summary (e.g. for a PR comment)'),
  html: file('write a self-contained HTML report'),
} as const;
const judgement = {
  baseline: file('compare against a saved baseline (latency distributions + divergences)'),
  ledger: file('known-divergence ledger'),
} as const;
const pushgateway = opt.string({ placeholder: 'URL', description: "push the run's metrics to a Prometheus Pushgateway (after writing its reports)" });

export const COMMANDS = {
  run: defineCommand({
    summary: 'the whole gauntlet on the configured stack (npm start): smoke → parity (+ latency repeats) → replay → load → analysis → gate → reports; exit 1 if the gate fails',
    description:
      `Starts the configured stack and runs the phases in order — ${PHASES.join(', ')} — under one run id, judges everything from the span store, ` +
      'writes the reports (report.json, gate.json, junit.xml, summary.md, report.html, smoke.json) under --reports-dir/RUN and prints the production assessment. ' +
      'Phases come from run.phases of the config; --phase keeps only some, --skip drops some. Re-judge later with `gauntlet gate --run ID`.',
    options: {
      ...common,
      phase: opt.listOf(PHASES, { item: 'phase', placeholder: 'P,Q', description: 'run only these phases', defaultText: 'run.phases of the config' }),
      skip: opt.listOf(PHASES, { item: 'phase', placeholder: 'P,Q', description: 'skip these phases' }),
      repeat,
      ...gateOutputs,
      ...judgement,
      'reports-dir': opt.string({ placeholder: 'DIR', description: 'where each run writes its reports (in DIR/RUN)', defaultText: 'reports.dir of the config' }),
      pushgateway,
      'allow-remote': opt.boolean({ description: 'let the load phase send load to non-loopback runtimes (a staging service)' }),
    },
    examples: ['gauntlet run', 'gauntlet run --phase smoke,parity --repeat 30', 'gauntlet run --skip load --baseline baseline.json --html report.html'],
    exit1: 'the gate failed',
  }),
  smoke: defineCommand({
    summary: 'smoke chain: each check against every runtime, response + trace assertions judged from the store; exit 1 if any check fails',
    args: '[SUITES.yaml ...]',
    description: 'Suites default to smoke.suites of the config. With --run ID, re-judges a stored smoke run from the store alone.',
    options: { ...common, json: file('write the result as JSON'), junit: file('write the result as JUnit XML'), run: runId('re-judge this stored smoke run instead of running one') },
    examples: ['gauntlet smoke harness/smoke/validatord.yaml --junit smoke.xml', 'gauntlet smoke --run r-20261127-150000-abc123'],
    exit1: 'a check failed',
  }),
  parity: defineCommand({
    summary: 'send parity cases to both runtimes, judge from telemetry',
    args: '[CASES.yaml ...]',
    description: 'Case files default to parity.cases of the config. The verdict is computed from the span store, exactly as `gauntlet analyze --run ID` would.',
    options: { ...common, json: file('write the parity report as JSON'), 'fail-on-divergence': failOnDivergence, repeat },
    examples: ['gauntlet parity harness/parity/validatord.cases.yaml --repeat 20 --json parity.json'],
    exit1: 'a divergence was found and --fail-on-divergence was given',
  }),
  analyze: defineCommand({
    summary: 're-judge a stored run in a fresh process, or judge latency/error rates from a Prometheus-compatible backend',
    forms: [
      'gauntlet analyze --run ID [--json FILE]',
      'gauntlet analyze --source prometheus --url URL [--window 5m] [--end TIME] [--service S] [--metric http|spanmetrics|gauntlet] [--metric-unit s|ms] [--metric-prefix P] [--runtime-label L] [--json FILE|-]',
      'gauntlet analyze --source parquet GLOB [--run ID] [--json FILE]',
    ],
    args: '[GLOB]',
    description:
      'From the store: the parity report of a stored run. From Prometheus (Mimir, Thanos, VictoriaMetrics…): the runtimes’ latency histograms and error rates, judged like a run.',
    options: {
      ...common,
      run: runId('the stored run to judge'),
      json: opt.string({ placeholder: 'FILE', description: 'write the analysis as JSON (- for stdout, prometheus source)' }),
      'fail-on-divergence': failOnDivergence,
      source: opt.enum(['store', 'prometheus', 'parquet'] as const, { default: 'store', description: 'where the telemetry comes from (parquet: files of `gauntlet export`, GLOB as the argument)' }),
      url: opt.string({ placeholder: 'URL', description: 'base URL of a Prometheus-compatible query API (source prometheus)' }),
      window: opt.duration({ default: '5m', description: 'the range the histograms are read over (source prometheus)' }),
      end: opt.time({ description: 'end of the window: RFC 3339 or Unix seconds (source prometheus)', defaultText: 'now' }),
      service: opt.string({ placeholder: 'S', description: 'only this service', defaultText: 'every service of the config' }),
      metric: opt.enum(['http', 'spanmetrics', 'gauntlet'] as const, { default: 'http', description: 'which metric family holds the latency histograms' }),
      'metric-unit': opt.enum(['s', 'ms'] as const, { description: 'spanmetrics histogram unit (the connector defaults to ms)', defaultText: 's, as otel-collector.yaml sets' }),
      'metric-prefix': opt.string({ placeholder: 'P', description: 'spanmetrics metric prefix (the connector namespace, dots → _)', defaultText: 'traces_span_metrics' }),
      'runtime-label': opt.string({ placeholder: 'L', description: 'the label that names the runtime', defaultText: 'gauntlet_runtime for spanmetrics, runtime otherwise' }),
      primary: opt.string({ placeholder: 'NAME', description: 'runtime label value of the primary', defaultText: 'from the config' }),
      candidate: opt.string({ placeholder: 'NAME', description: 'runtime label value of the candidate', defaultText: 'from the config' }),
    },
    examples: ['gauntlet analyze --run r-20261127-150000-abc123', 'gauntlet analyze --source prometheus --url http://127.0.0.1:9090 --window 15m --service validatord'],
    exit1: 'a divergence (or a slower route / failing error rate) was found and --fail-on-divergence was given',
    check(o) {
      if (o.source === 'prometheus' && !o.url) throw usageError('analyze --source prometheus needs --url URL', 'the base URL of a Prometheus-compatible query API, e.g. http://127.0.0.1:9090');
      if (o.source === 'store' && !o.run) throw usageError('analyze needs --run ID', 'list stored runs with `gauntlet runs`, or judge live metrics with --source prometheus --url URL');
    },
  }),
  export: defineCommand({
    summary: 'write a stored run as hive-partitioned Parquet (DIR/run=ID/date=DAY/), for DuckDB, Trino, Spark or ClickHouse',
    forms: ['gauntlet export --run ID --format parquet DIR'],
    args: 'DIR',
    description: 'Every span of the run from the whole store family, written by DuckDB into a temp directory and renamed into place. Read it back with `gauntlet analyze --source parquet GLOB`; the schema is in docs/scale.md.',
    options: {
      ...common,
      run: runId('the stored run to export'),
      format: opt.enum(['parquet'] as const, { default: 'parquet', description: 'file format' }),
    },
    examples: ['gauntlet export --run r-20261127-150000-abc123 --format parquet runs/'],
    check(o) {
      if (!o.run) throw usageError('export needs --run ID', RUNS_HINT);
    },
  }),
  watch: defineCommand({
    summary: 'probe daemon: parity cases every interval, judged cycles as metrics on /metrics (+ /healthz); SIGINT/SIGTERM stop it cleanly',
    args: '[CASES.yaml ...]',
    options: {
      ...common,
      interval: opt.duration({ description: 'time between the starts of two cycles', defaultText: 'watch.interval of the config (15s)' }),
      listen: opt.string({ placeholder: 'HOST:PORT', description: '/metrics and /healthz address', defaultText: 'watch.listen of the config (127.0.0.1:9464)' }),
      'max-cycles': opt.int({ max: 999_999_999, description: 'stop after N cycles', defaultText: 'run until interrupted' }),
      repeat: opt.int({ max: 999_999, description: 'send every case N times per cycle', defaultText: 'watch.repeat of the config' }),
      spanmetrics: opt.boolean({ description: 'also serve traces_span_metrics_* computed from each cycle' }),
    },
    examples: ['gauntlet watch --interval 30s --listen 127.0.0.1:9464'],
  }),
  gate: defineCommand({
    summary: 'the CI verdict of a stored run: ledger labels, latency, error rate, thresholds, baseline',
    description: 'Re-judges a stored run (its pairs, smoke checks and load phase) exactly as `gauntlet run` judged it, with the given ledger and baseline.',
    forms: ['gauntlet gate --run ID [--ledger F] [--baseline F] [--junit F] …', 'gauntlet gate --source parquet GLOB --run ID […]'],
    args: '[GLOB]',
    options: {
      ...common,
      run: requiredRunId('the stored run to judge'),
      ...judgement,
      ...gateOutputs,
      pushgateway,
      source: opt.enum(['store', 'parquet'] as const, { default: 'store', description: 'where the spans come from (parquet: files of `gauntlet export`, GLOB as the argument)' }),
    },
    examples: ['gauntlet gate --run r-20261127-150000-abc123 --baseline baseline.json --junit gate.xml'],
    exit1: 'the gate failed',
  }),
  report: defineCommand({
    summary: 'a self-contained HTML report of a stored run (no network needed to view)',
    forms: ['gauntlet report --run ID --html FILE [--ledger FILE] [--baseline FILE]', 'gauntlet report ID --html FILE'],
    options: {
      ...common,
      run: requiredRunId('the stored run (or give it as the only positional)'),
      ...judgement,
      html: requiredFile('where to write the report'),
    },
    examples: ['gauntlet report r-20261127-150000-abc123 --html report.html'],
    check(o, positionals) {
      // `gauntlet report RUN --html FILE` and `gauntlet report --run RUN --html FILE` are the same.
      if (!o.run && positionals.length === 1) o.run = positionals[0];
      if (!o.run || !o.html || positionals.length > (o.run === positionals[0] ? 1 : 0)) throw usageError('usage: gauntlet report --run ID --html FILE', RUNS_HINT);
    },
  }),
  baseline: defineCommand({
    summary: 'save a compact baseline (latency histograms + divergences)',
    args: 'save',
    options: { ...common, run: requiredRunId('the stored run to save'), out: requiredFile('where to write the baseline') },
    examples: ['gauntlet baseline save --run r-20261127-150000-abc123 --out baseline.json'],
    check(o, positionals) {
      if (!o.run) throw usageError('baseline needs --run ID', RUNS_HINT);
      if (positionals[0] !== 'save' || !o.out) throw usageError('usage: gauntlet baseline save --run ID --out FILE');
    },
  }),
  runs: defineCommand({ summary: 'list runs in the span store', options: { ...common } }),
  schema: defineCommand({
    summary: 'print the JSON Schema (draft-07, for editors) of a file format',
    args: '[config|cases|smoke|scenarios|ledger|baseline|stack|recording-header|recording-exchange]',
    options: {
      help,
      out: file('write the schema to FILE instead of stdout'),
      all: opt.boolean({ description: 'write every format, one FILE per format, into --out-dir' }),
      'out-dir': opt.string({ placeholder: 'DIR', description: 'with --all: the directory to write FORMAT.json files into' }),
    },
    examples: ['gauntlet schema cases --out cases.schema.json', 'gauntlet schema --all --out-dir schemas'],
    check(o, positionals) {
      if (positionals.length > 1) throw usageError('schema takes at most one format name');
      if (o.all && !o['out-dir']) throw usageError('schema --all needs --out-dir DIR');
    },
  }),
  collect: defineCommand({
    summary: 'a standalone OTLP/HTTP receiver writing its own store file: one shard of a trace-id-sharded fleet (docs/scale.md)',
    forms: ['gauntlet collect --listen HOST:PORT --store .gauntlet/store.<shard>.duckdb [--allow-remote]'],
    description: 'Runs until SIGINT/SIGTERM (exit 0). `analyze`/`gate` read `store.duckdb` and every `store.<name>.duckdb` beside it as one store.',
    options: {
      ...common,
      listen: opt.string({ placeholder: 'HOST:PORT', description: 'where exporters send OTLP/HTTP (loopback unless --allow-remote)', required: true }),
      'allow-remote': opt.boolean({ description: 'listen on a non-loopback address (the receiver has no authentication)' }),
    },
    examples: ['gauntlet collect --listen 127.0.0.1:4318 --store .gauntlet/store.shard-a.duckdb'],
  }),
  record: defineCommand({
    summary: 'recording reverse proxy: forward, redact, append NDJSON',
    description: 'SIGINT/SIGTERM stop it: in-flight exchanges finish and the file is renamed into place.',
    options: {
      config,
      help,
      listen: opt.string({ placeholder: 'HOST:PORT', description: 'where clients connect (loopback unless --allow-remote)', required: true }),
      upstream: opt.string({ placeholder: 'URL', description: 'the service to forward to', required: true }),
      out: requiredFile('the recording (NDJSON); rotates at --max-bytes'),
      service: opt.string({ placeholder: 'NAME', description: 'whose traffic this is', defaultText: 'the config’s only service' }),
      'max-bytes': opt.byteSize({ description: 'rotate the recording file at this size' }),
      'max-total-bytes': opt.byteSize({ description: 'stop recording (keep forwarding) past this total' }),
      'max-body-bytes': opt.byteSize({ description: 'refuse request bodies larger than this' }),
      'allow-remote': opt.boolean({ description: 'listen on a non-loopback address' }),
    },
    examples: ['gauntlet record --listen 127.0.0.1:8080 --upstream http://127.0.0.1:3100 --out traffic.ndjson --service validatord --max-bytes 10MiB'],
    check(o) {
      if (!o.listen || !o.upstream || !o.out) {
        throw usageError('record needs --listen HOST:PORT, --upstream URL and --out FILE', 'e.g. gauntlet record --listen 127.0.0.1:8080 --upstream http://127.0.0.1:3100 --out traffic.ndjson');
      }
    },
  }),
  mirror: defineCommand({
    summary:
      'live shadow traffic: answer clients from the primary, copy each request to the candidate off the hot path (bounded queue, drops counted), compare, spans to the store + /metrics; SIGINT/SIGTERM drain, flush, exit 130',
    forms: [
      'gauntlet mirror --listen 127.0.0.1:PORT [--primary URL --candidate URL [--secondary URL]] [--service NAME]',
      '                [--queue N] [--concurrency N] [--timeout-ms N] [--sample R] [--copy-nice N] [--unsafe] [--metrics-listen HOST:PORT]',
    ],
    description: 'Without --primary/--candidate it mirrors a service of the config. Settings default to mirror: in the config.',
    options: {
      ...common,
      listen: opt.string({ placeholder: 'HOST:PORT', description: 'where clients connect', defaultText: 'mirror.listen of the config' }),
      primary: opt.string({ placeholder: 'URL', description: 'the runtime that answers clients' }),
      candidate: opt.string({ placeholder: 'URL', description: 'the runtime that gets the copies' }),
      secondary: opt.string({ placeholder: 'URL', description: 'a second instance of the primary (A/A noise calibration)' }),
      service: opt.string({ placeholder: 'NAME', description: 'the service mirrored (routes and noise rules from the config)', defaultText: 'mirror.service or the config’s only service' }),
      queue: opt.int({ max: 1_000_000, description: 'copies waiting at most; more are dropped and counted' }),
      concurrency: opt.int({ max: 1024, description: 'copies in flight at most' }),
      'timeout-ms': opt.int({ max: 600_000, description: 'per-copy timeout in ms' }),
      'max-body-bytes': opt.byteSize({ description: 'bodies larger than this are not copied' }),
      unsafe: opt.boolean({ description: 'also copy unsafe methods (POST, PUT, …) — only against disposable runtimes' }),
      sample: opt.number({ max: 1, placeholder: 'R', description: 'fraction of requests copied (0 < R ≤ 1)' }),
      'copy-nice': opt.int({ min: 0, max: 19, description: 'CPU niceness of the copy side (Linux; 0 = normal priority)', defaultText: 'mirror.copyNice of the config (19)' }),
      'metrics-listen': opt.string({ placeholder: 'HOST:PORT', description: '/metrics address', defaultText: 'mirror.metricsListen of the config' }),
      'allow-remote': opt.boolean({ description: 'listen on a non-loopback address' }),
      'gate-json': file('write the final gate result as JSON'),
    },
    examples: ['gauntlet mirror --listen 127.0.0.1:8480 --primary http://127.0.0.1:3100 --candidate http://127.0.0.1:4110'],
  }),
  replay: defineCommand({
    summary: 'send recorded requests to every runtime, judge from telemetry',
    args: 'RECORDING...',
    forms: ['gauntlet replay RECORDING... [--speed X | --rate N | --fast] [--concurrency N] [--allow-unsafe] [--limit N] [--json FILE]'],
    description: 'Paced as recorded by default (like GoReplay); unsafe methods are skipped unless their route is in replay.safeRoutes or --allow-unsafe is given.',
    options: {
      ...common,
      json: file('write the parity report as JSON'),
      'fail-on-divergence': failOnDivergence,
      service: opt.string({ placeholder: 'NAME', description: 'replay against this service', defaultText: 'the service named in the recording' }),
      speed: opt.number({ max: 10_000, description: 'recorded pacing, X times as fast' }),
      rate: opt.number({ max: 1_000_000, placeholder: 'N', description: 'N requests per second' }),
      fast: opt.boolean({ description: 'as fast as the concurrency allows' }),
      concurrency: opt.int({ max: 1024, description: 'requests in flight at most', defaultText: 'probe.concurrency (--fast) or 256' }),
      'allow-unsafe': opt.boolean({ description: 'also replay unsafe methods on every route' }),
      limit: opt.int({ description: 'replay at most N entries', defaultText: 'replay.maxExchanges' }),
      'max-duration': opt.number({ placeholder: 'SECONDS', description: 'stop sending after this many seconds', defaultText: 'replay.maxDurationMs' }),
      'skip-invalid': opt.boolean({ description: 'skip malformed recording lines instead of stopping' }),
    },
    examples: ['gauntlet replay traffic.ndjson --speed 2', 'gauntlet replay traffic.ndjson --fast --concurrency 8 --json replay.json'],
    exit1: 'a divergence was found and --fail-on-divergence was given',
    check(o, positionals) {
      if (positionals.length === 0) throw usageError('replay needs a recording file', 'gauntlet replay traffic.ndjson');
      const pacings = [o.speed !== undefined && '--speed', o.rate !== undefined && '--rate', o.fast && '--fast'].filter(Boolean);
      if (pacings.length > 1) throw usageError(`choose one pacing: ${pacings.join(', ')} were all given`);
    },
  }),
  import: defineCommand({
    summary: 'convert a HAR 1.2 export to a recording (redacted)',
    args: 'har FILE',
    forms: ['gauntlet import har FILE --out FILE [--service NAME] [--host HOST] [--skip-invalid]'],
    options: {
      config,
      help,
      out: requiredFile('the recording to write'),
      service: opt.string({ placeholder: 'NAME', description: 'whose traffic this is', defaultText: 'the config’s only service' }),
      host: opt.string({ placeholder: 'HOST', description: 'keep only entries for this host' }),
      'skip-invalid': opt.boolean({ description: 'skip malformed entries instead of stopping' }),
    },
    examples: ['gauntlet import har session.har --out traffic.ndjson --service shop --host shop.example.com'],
    check(o, positionals) {
      if (positionals[0] !== 'har' || positionals.length !== 2 || !o.out) throw usageError('usage: gauntlet import har FILE --out FILE [--service NAME] [--host HOST] [--skip-invalid]', 'HAR 1.2 exports from browser devtools, mitmproxy or Charles');
    },
  }),
  load: defineCommand({
    summary: 'k6-model load on both runtimes of a service in ABBA blocks: rate, latency (from the intended start), errors, thresholds, latency verdict per route',
    forms: ['gauntlet load SCENARIOS.yaml [--json FILE] [--workers N]', 'gauntlet load --run ID [--json FILE]'],
    description: 'With --run ID, re-judges a stored load run (engine or imported k6) from the store.',
    options: {
      ...common,
      json: file('write the load report as JSON'),
      run: runId('re-judge this stored load run'),
      workers: opt.int({ max: 99, description: 'load-generating worker threads', defaultText: 'from the CPU count' }),
      'allow-remote': opt.boolean({ description: 'send load to non-loopback targets (a staging service; default: loopback only)' }),
    },
    examples: ['gauntlet load load/vectord.scenarios.yaml', 'gauntlet load --run r-20261127-150000-abc123 --json load.json'],
    exit1: 'a threshold was crossed, or a route is slower and the gate treats latency as critical',
    check(o, positionals) {
      if (o.run ? positionals.length > 0 : positionals.length !== 1) throw usageError('usage: gauntlet load SCENARIOS.yaml, or gauntlet load --run ID', 'e.g. gauntlet load load/vectord.scenarios.yaml');
    },
  }),
  ingest: defineCommand({
    summary: 'import k6 --out json NDJSON or end-of-test summary JSON as one load run',
    args: 'k6 [FILE...] [--runtime NAME FILE...]...',
    description: 'All files become ONE run: several runners\' --out json files of a runtime merge sample by sample. Files after --runtime NAME are that runtime\'s (plain k6 runs, no runtime tag).',
    options: {
      ...common,
      json: file('write the load report as JSON'),
      service: opt.string({ placeholder: 'NAME', description: 'the service the load was sent to' }),
      runtimes: opt.list({ length: 2, placeholder: 'A,B', description: 'the two runtimes compared' }),
      runtime: opt.group({ placeholder: 'NAME', description: 'the files after it measured this runtime (repeat per runtime)' }),
      'otlp-run': opt.string({ placeholder: 'ID', description: 'instead of files: the k6 --out opentelemetry metrics the receiver stored under this gauntlet.run.id' }),
    },
    examples: ['gauntlet ingest k6 k6-out.ndjson --service vectord --runtimes rust,go', 'gauntlet ingest k6 --runtime rust rust-1.json rust-2.json --runtime go go-1.json go-2.json', 'gauntlet ingest k6 --otlp-run k6-20261127'],
    exit1: 'a threshold was crossed',
    check(o, positionals) {
      if (positionals[0] === 'k6' && o['otlp-run'] !== undefined) {
        if (positionals.length > 1 || o.runtime) throw usageError('ingest k6 --otlp-run ID reads the store, not files: give one or the other');
        return;
      }
      if (positionals[0] !== 'k6' || positionals.length < 2) throw usageError('usage: gauntlet ingest k6 [FILE...] [--runtime NAME FILE...]... (k6 --out json NDJSON, or --summary-export / handleSummary JSON)');
    },
  }),
  review: defineCommand({
    summary: 'per-component review scrum: split a git range into component bundles, ask every configured reviewer, tally findings by lineage; exit 1 on a convergent BLOCK',
    args: 'RANGE',
    forms: ['gauntlet review RANGE [--reviewer A,B] [--json FILE|-] [--markdown FILE] [--warn-bytes SIZE] [--fail-bytes SIZE] [--allow-large] [--repo DIR]'],
    description:
      'Components, reviewers and the size guard come from review: in the config. No reviewer model ships with gauntlet: a reviewer is your command (prompt on stdin, answer on stdout) or an OpenAI-compatible endpoint. ' +
      'Exit 2 for a bad range, an unknown reviewer, no reviewer configured, a missing API key or a bundle over the fail size. See docs/review.md.',
    options: {
      config,
      help,
      quiet: common.quiet,
      repo: opt.string({ placeholder: 'DIR', description: 'the git repository', defaultText: 'the current directory' }),
      reviewer: opt.list({ placeholder: 'A,B', description: 'ask only these reviewers', defaultText: 'every reviewer of review.reviewers' }),
      json: opt.string({ placeholder: 'FILE', description: 'write the review as JSON (- for stdout)' }),
      markdown: file('write the review as Markdown'),
      'warn-bytes': opt.byteSize({ description: 'warn for a bundle larger than this', defaultText: 'review.guard.warnBytes (60KiB)' }),
      'fail-bytes': opt.byteSize({ description: 'refuse a bundle larger than this (exit 2)', defaultText: 'review.guard.failBytes (100KiB)' }),
      'allow-large': opt.boolean({ description: 'review bundles over the fail size anyway' }),
      'otlp-endpoint': opt.string({ placeholder: 'URL', description: 'export one GenAI span per reviewer call to this OTLP/HTTP endpoint', defaultText: '$OTEL_EXPORTER_OTLP_ENDPOINT, else none' }),
      store: opt.string({ placeholder: 'PATH', description: 'keep those spans in this span store instead (DuckDB; `gauntlet runs` lists the review)' }),
    },
    examples: ['gauntlet review HEAD~1..HEAD --config harness/review/gauntlet.review.yaml', 'gauntlet review main..HEAD --json review.json --markdown review.md'],
    exit1: 'a BLOCK named by at least review.convergence distinct lineages at one location, or a bundle no reviewer answered for',
    check(_o, positionals) {
      if (positionals.length !== 1) throw usageError('usage: gauntlet review RANGE', 'e.g. gauntlet review HEAD~3..HEAD');
    },
  }),
  daemon: defineCommand({
    summary: 'run a reference twin in the foreground',
    args: 'validatord|vectord',
    options: {
      help,
      flavour: opt.enum(['rust', 'go'] as const, { description: 'which wire format the twin speaks', required: true }),
      host: opt.string({ placeholder: 'HOST', description: 'listen address', defaultText: '127.0.0.1' }),
      port: opt.int({ min: 0, max: 65_535, description: 'listen port (0 picks a free one)', defaultText: '0' }),
      'otlp-endpoint': opt.string({ placeholder: 'URL', description: 'send its spans to this OTLP/HTTP endpoint' }),
    },
    examples: ['gauntlet daemon validatord --flavour go --port 4110', 'gauntlet daemon vectord --flavour rust --port 3200'],
    check(o, positionals) {
      if (!REFERENCE_DAEMONS.includes(positionals[0] as ReferenceDaemon) || positionals.length !== 1) throw usageError(`daemon needs one service: ${REFERENCE_DAEMONS.join(' or ')}`, 'gauntlet daemon vectord --flavour rust --port 3200');
      if (!o.flavour) throw usageError('--flavour must be rust or go');
    },
  }),
  stack: defineCommand({
    summary: 'a persistent stack of daemons (TOML/YAML/JSON stack file) kept up by a detached supervisor: up, down, status, logs',
    args: 'up|down|status|logs [NAME]',
    forms: ['gauntlet stack up|down|status [--file FILE] [--json]', 'gauntlet stack logs [NAME] [--file FILE] [--lines N]'],
    description:
      'up starts the supervisor (detached: it outlives this command) or tells the running one to apply the file again — only daemons that are new or changed start, ' +
      'daemons gone from the file stop — and waits for their health checks (exit 1 if one is not healthy in time). ' +
      'The supervisor restarts a crashed daemon with backoff and counts restarts. down stops every daemon (SIGTERM, SIGKILL after its grace period) and the supervisor. ' +
      'Pid files, logs and state live in the stack’s state directory. A config with stack.persistent: FILE makes run, watch and mirror use the running twins.',
    options: {
      config,
      help,
      file: opt.string({ short: 'f', placeholder: 'FILE', description: 'the stack file (.toml, .yaml, .json)', defaultText: 'stack.persistent of the config' }),
      json: opt.boolean({ description: 'up/down/status: print JSON' }),
      lines: opt.int({ max: 1_000_000, description: 'logs: the last N lines of each log', defaultText: '50' }),
    },
    examples: [
      'gauntlet stack up --file harness/stack/lakehouse-persistent.toml',
      'gauntlet stack status --file harness/stack/lakehouse-persistent.toml',
      'gauntlet stack logs validatord-go --file harness/stack/lakehouse-persistent.toml',
      'gauntlet stack down --file harness/stack/lakehouse-persistent.toml',
    ],
    exit1: 'up: a daemon was not healthy within its health.startTimeoutMs',
    check(_o, positionals) {
      const action = positionals[0];
      if (action === undefined || !['up', 'down', 'status', 'logs'].includes(action)) throw usageError(`stack needs an action: up, down, status or logs${action ? ` (got "${action}")` : ''}`);
      if (positionals.length > (action === 'logs' ? 2 : 1)) throw usageError(`stack ${action} takes ${action === 'logs' ? 'at most one daemon name' : 'no further arguments'}`, 'the stack file is given with --file FILE');
    },
  }),
} as const;

export type CommandName = keyof typeof COMMANDS;
/** The reference twins `gauntlet daemon` runs (src/daemons' DAEMON_SERVICES; test/daemon-cli.test.ts checks they agree). */
export const REFERENCE_DAEMONS = ['validatord', 'vectord'] as const;
export type ReferenceDaemon = (typeof REFERENCE_DAEMONS)[number];
export type CommandOptions<C extends CommandName> = OptionsOf<(typeof COMMANDS)[C]['options']>;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];
export const COMMON_OPTIONS: OptionTable = common;
