/**
 * Where a process's main-thread CPU goes, by harness phase, from V8's sampling profiler (the
 * inspector's Profiler domain, in process — what `node --cpu-prof` writes). Each sample is charged
 * to the nearest frame on its stack that belongs to a phase, so protobufjs under the OTLP exporter
 * counts as export and under the receiver as receive; a stack with no such frame (socket reads,
 * timers) is "node I/O + runtime".
 *
 * The profile sees the main thread only: DuckDB's own threads, libuv's pool and V8's concurrent GC
 * threads are in the process's CPU but not here, which is why the bench prints both.
 */
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Phase of a frame, or undefined when the frame says nothing (node internals, shared libraries). */
const PHASES: Array<[string, RegExp]> = [
  ['receive: OTLP/HTTP receiver + decode', /\/src\/collect\/(receiver|decode|otlp|proto|ingest)/],
  ['store: span store (DuckDB calls, row building)', /\/src\/collect\/|@duckdb\//],
  ['spans: creation + OTLP export', /@opentelemetry\/|\/src\/telemetry\//],
  ['send: drive, probe, undici', /\/src\/(drive|probe|record)\/|\/undici\//],
  ['analysis: read, pair, diff, judge', /\/src\/(analyze|shape|judge|gate|report)\//],
];

export const UNATTRIBUTED = 'node I/O + runtime (no phase on the stack)';

/**
 * Starts the profiler; `stop(windows)` splits the samples into consecutive time windows (name and
 * end, in performance.now() ms) and returns each window's µs per phase. A sample's time is the wall
 * time since the previous one: on a quiet machine that is the thread's CPU, on a loaded one it also
 * holds the time the thread waited for a core — compare shares, and the process CPU printed beside.
 */
export async function startProfile(intervalUs = 1_000): Promise<{ stop: (windows: Array<[string, number]>) => Promise<Map<string, Map<string, number>>> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  const startedAt = performance.now();
  return {
    stop: async (windows) => {
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
      session.disconnect();
      const bounds = windows.map(([name, end]) => [name, (end - startedAt) * 1000] as const);
      let t = 0;
      const windowOf = profile.timeDeltas.map((d) => {
        t += d;
        return (bounds.find(([, end]) => t <= end) ?? bounds.at(-1)!)[0];
      });
      const out = new Map<string, Map<string, number>>();
      for (const [name] of bounds) out.set(name, microsecondsByPhase(profile, (i) => windowOf[i] === name));
      return out;
    },
  };
}

/** Main-thread µs per phase over the samples `keep` selects; idle left out, GC and "(program)" apart. */
export function microsecondsByPhase(profile: Profile, keep: (sample: number) => boolean = () => true): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phaseOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = phaseOf.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const { url, functionName } = node.callFrame;
    let phase: string | undefined;
    if (functionName === '(idle)') phase = '(idle)';
    else if (functionName === '(garbage collector)') phase = 'GC (main thread)';
    else if (functionName === '(program)') phase = 'V8/native outside JS ("(program)")';
    else phase = PHASES.find(([, re]) => re.test(url))?.[0];
    if (!phase) {
      const up = parent.get(id);
      phase = up === undefined ? UNATTRIBUTED : resolve(up);
    }
    phaseOf.set(id, phase);
    return phase;
  };
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (!keep(i)) return;
    const phase = resolve(id);
    if (phase === '(idle)') return;
    out.set(phase, (out.get(phase) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return out;
}
