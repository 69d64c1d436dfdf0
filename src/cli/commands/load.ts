import { resolve } from 'node:path';
import { withEachStore } from '../../collect/index.ts';
import { loadConfig, resolveFrom, type GauntletConfig, type LoadedConfig } from '../../config/index.ts';
import {
  assertLoopback,
  assertReachable,
  defaultWorkers,
  loadReportFromStore,
  loadScenarioFile,
  progressLine,
  renderLoadReport,
  runLoad,
  type LoadPlan,
  type LoadReport,
  type LoadTarget,
} from '../../drive/load/index.ts';
import { openSession } from '../../drive/session.ts';
import type { JudgeRoutesOptions } from '../../judge/index.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { GauntletError } from '../../util/errors.ts';
import type { ParsedCLI } from '../parse.ts';
import type { CommandContext } from './parity.ts';

/** The latency judge with the gate's settings, so `load` and `gate` judge alike. */
export function judgeOptionsOf(cfg: GauntletConfig): JudgeRoutesOptions {
  const l = cfg.gate.latency;
  return { alpha: l.alpha, confLevel: l.confLevel, tolerance: { relative: l.tolerance, absoluteMs: l.toleranceMs }, quantileTolerance: l.quantileTolerance, minSamples: l.minSamples, correction: l.correction };
}

/**
 * Without a config file the embedded default has no vectord; a vectord scenario file then gets the
 * reference twins (rust primary, go candidate), the same way the default gets validatord's.
 */
function withService(loaded: LoadedConfig, service: string, file: string): LoadedConfig {
  if (service in loaded.config.stack.services) return loaded;
  if (!loaded.file && service === 'vectord') {
    const vectord = { primary: 'rust', candidate: 'go', runtimes: { rust: { reference: { flavour: 'rust' as const } }, go: { reference: { flavour: 'go' as const } } } };
    return { ...loaded, config: { ...loaded.config, stack: { services: { ...loaded.config.stack.services, vectord } } } };
  }
  throw new GauntletError('GAUNTLET_INPUT_INVALID', `service "${service}" is not in the stack (have: ${Object.keys(loaded.config.stack.services).join(', ')})`, {
    file,
    path: 'service',
    hint: `add it under stack.services${loaded.file ? ` in ${loaded.file}` : ' in a gauntlet.config.yaml'}, e.g. ${service}: { primary: rust, candidate: go, runtimes: { rust: { url: "http://127.0.0.1:3100" }, go: { url: "http://127.0.0.1:4110" } } }`,
  });
}

/** [A, B] from the scenario file, else the service's primary and candidate; URLs checked for loopback before anything starts. */
function runtimesOf(loaded: LoadedConfig, plan: LoadPlan): [string, string] {
  const svc = loaded.config.stack.services[plan.service]!;
  const names: [string, string] = plan.runtimes ?? [svc.primary, svc.candidate];
  names.forEach((name, i) => {
    const rt = svc.runtimes[name];
    if (!rt) {
      throw new GauntletError('GAUNTLET_INPUT_INVALID', `runtime "${name}" is not a runtime of ${plan.service} (have: ${Object.keys(svc.runtimes).join(', ')})`, { file: plan.file, path: `runtimes[${i}]` });
    }
    if (rt.url) assertLoopback(rt.url, { runtime: name, path: `stack.services.${plan.service}.runtimes.${name}.url` });
  });
  if (names[0] === names[1]) throw new GauntletError('GAUNTLET_INPUT_INVALID', 'runtimes must name two different runtimes', { file: plan.file, path: 'runtimes' });
  return names;
}

function progress(ctx: CommandContext): ((p: Parameters<typeof progressLine>[0]) => void) | undefined {
  if (!ctx.stderr.isTTY) return undefined;
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < 200) return;
    last = now;
    ctx.stderr.write(`\r\u001b[K${progressLine(p)}`);
  };
}

async function emit(report: LoadReport, cli: ParsedCLI, ctx: CommandContext, cfg: GauntletConfig): Promise<number> {
  if (typeof cli.options.json === 'string') await writeFileAtomic(cli.options.json, JSON.stringify(report, null, 2) + '\n');
  const text = renderLoadReport(report);
  ctx.stdout.write(cli.options.quiet ? text.trimEnd().split('\n').pop()! + '\n' : text);
  // As in k6, a crossed threshold fails the run; a slower route fails it when the gate treats latency as critical.
  const latencyFails = cfg.gate.latency.enabled && cfg.gate.latency.critical && report.slower > 0;
  return report.thresholdsFailed > 0 || report.aborted || latencyFails ? 1 : 0;
}

/** `gauntlet load SCENARIOS.yaml` / `gauntlet load --run ID`. */
export async function loadCommand(cli: ParsedCLI, ctx: CommandContext): Promise<number> {
  const base = await loadConfig(cli.options.config as string | undefined);
  const judge = judgeOptionsOf(base.config);
  if (typeof cli.options.run === 'string') {
    const runId = cli.options.run;
    const storePath = typeof cli.options.store === 'string' ? cli.options.store : resolveFrom(base.file ? base.baseDir : process.cwd(), base.config.store.path);
    const { result } = await withEachStore(storePath, async (store) => {
      const runs = await store.listMetricRuns();
      return runs.some((r) => r.runId === runId) ? loadReportFromStore(store, runId, judge) : undefined;
    });
    if (!result) throw new GauntletError('GAUNTLET_RUN_NOT_FOUND', `no load run "${runId}" in the store`, { file: storePath, hint: 'list stored runs with `gauntlet runs`' });
    return emit(result, cli, ctx, base.config);
  }

  const file = resolve(process.cwd(), cli.positionals[0]!);
  const plan = await loadScenarioFile(file, base.config.load);
  const loaded = withService(base, plan.service, file);
  const cfg = loaded.config;
  const names = runtimesOf(loaded, plan);
  const session = await openSession(loaded, { services: new Set([plan.service]), ...(typeof cli.options.store === 'string' ? { storePath: cli.options.store } : {}) });
  let report: LoadReport;
  try {
    const endpoints = session.stack.services.get(plan.service)!;
    const all = [endpoints.primary, endpoints.candidate, ...endpoints.others];
    const targets = names.map((name): LoadTarget => {
      const e = all.find((x) => x.name === name)!;
      return { runtime: e.name, role: e.role === 'primary' || e.role === 'candidate' ? e.role : 'secondary', url: e.url, headers: e.headers };
    }) as [LoadTarget, LoadTarget];
    for (const t of targets) {
      const facts = { runtime: t.runtime, path: `stack.services.${plan.service}.runtimes.${t.runtime}.url` };
      assertLoopback(t.url, facts);
      await assertReachable(t.url, facts);
    }
    const onProgress = progress(ctx);
    await runLoad({
      plan,
      targets,
      settings: {
        runId: session.runId,
        service: plan.service,
        requestTimeoutMs: cfg.load.requestTimeoutMs,
        spanSampleRatio: cfg.load.spanSampleRatio,
        otlpEndpoint: session.receiver.url,
        maxEventBodyBytes: cfg.probe.maxEventBodyBytes,
      },
      metricsEndpoint: session.receiver.url,
      workers: typeof cli.options.workers === 'string' ? Number(cli.options.workers) : defaultWorkers(cfg.load.workers),
      histogramScale: cfg.load.histogramScale,
      tracer: session.telemetry.tracer,
      signal: ctx.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    if (onProgress) ctx.stderr.write('\r\u001b[K');
    await session.telemetry.flush();
    // Judged from the store alone — the same call `gauntlet load --run` makes.
    report = await loadReportFromStore(session.store, session.runId, judge);
  } finally {
    await session.close();
  }
  return emit(report, cli, ctx, cfg);
}
