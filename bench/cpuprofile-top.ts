/**
 * Where a `node --cpu-prof` profile spent its time: self time by function and by where the code
 * lives (our src/ folders, each node_modules package, node internals, GC, idle). The notes in
 * docs/performance.md are read off this.
 *   npx tsx bench/cpuprofile-top.ts FILE.cpuprofile [TOP]
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: `src/<folder>`, a package name, `node:internal`, or V8's own (GC, idle, program). */
export function placeOf(url: string, functionName: string): string {
  if (!url) return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/(src|bench|test)\/([^/]+)/.exec(url);
  if (src) return src[1] === 'src' ? `src/${src[2]!.replace(/\.ts$/, '')}` : src[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

export function summarise(profile: CpuProfile, top = 25): { totalMs: number; byPlace: Array<[string, number]>; byFunction: Array<[string, number]> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const place = new Map<string, number>();
  const fn = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const where = placeOf(n.callFrame.url, n.callFrame.functionName);
    place.set(where, (place.get(where) ?? 0) + us);
    const file = n.callFrame.url.split('/').slice(-1)[0] ?? '';
    const name = `${n.callFrame.functionName || '(anonymous)'} ${file ? `${file}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    total += us;
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total / 1000, byPlace: sorted(place), byFunction: sorted(fn).slice(0, top) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npx tsx bench/cpuprofile-top.ts FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 25);
  if (!Number.isInteger(top) || top < 1 || process.argv.length > 4) {
    console.error(`usage: npx tsx bench/cpuprofile-top.ts FILE.cpuprofile [TOP] — one profile at a time (got ${process.argv.slice(2).join(' ')})`);
    process.exit(2);
  }
  const s = summarise(JSON.parse(await readFile(file, 'utf8')) as CpuProfile, top);
  const pct = (us: number) => `${((100 * us) / 1000 / s.totalMs).toFixed(1).padStart(5)}%`;
  console.log(`${file}: ${s.totalMs.toFixed(0)} ms sampled`);
  console.log('\nself time by where the code lives:');
  for (const [p, us] of s.byPlace.slice(0, 20)) console.log(`  ${pct(us)}  ${p}`);
  console.log('\nself time by function:');
  for (const [f, us] of s.byFunction) console.log(`  ${pct(us)}  ${f}`);
}
