import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/cli.ts';

/**
 * The dependency rule of src/ (README "Architecture"), enforced with dependency-cruiser: each
 * folder imports only the folders .dependency-cruiser.cjs allows it. Measured two ways — the rule
 * violations dependency-cruiser reports, and the strongly connected components of the folder
 * graph built from every import it resolved (a folder-level cycle is an SCC of more than one folder).
 */
const require = createRequire(import.meta.url);
const config = require(join(REPO_ROOT, '.dependency-cruiser.cjs')) as { forbidden: IForbiddenRuleType[]; ALLOWED: Record<string, string[]> };

async function cruiseSrc(baseDir: string): Promise<ICruiseResult> {
  const { output } = await cruise(['src'], { baseDir, ruleSet: { forbidden: config.forbidden }, validate: true, tsPreCompilationDeps: true, doNotFollow: { path: 'node_modules' }, exclude: { path: 'node_modules' } });
  return output as ICruiseResult;
}

const violations = (r: ICruiseResult) => r.summary.violations.map((v) => `${v.from} → ${v.to} (${v.rule.name})`);

const folderOf = (path: string) => (/^src\/([^/]+)\//.exec(path) ?? [])[1];

function folderCycles(r: ICruiseResult): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const m of r.modules) {
    const a = folderOf(m.source);
    if (!a) continue;
    for (const d of m.dependencies) {
      const b = folderOf(d.resolved);
      if (b && b !== a) (edges.get(a) ?? edges.set(a, new Set()).get(a)!).add(b);
    }
  }
  // Tarjan's strongly connected components.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const sccs: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) sccs.push(c.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return sccs;
}

describe('architecture: one-way folder graph', () => {
  it('src/ keeps the dependency rule: no forbidden arrow, no folder-level cycle', async () => {
    const r = await cruiseSrc(REPO_ROOT);
    expect(r.summary.totalCruised).toBeGreaterThan(200);
    expect(violations(r), 'forbidden imports (file → file (rule))').toEqual([]);
    expect(folderCycles(r)).toEqual([]);
  }, 60_000);

  it('the rule itself is a DAG and covers every folder under src/', () => {
    const folders = readdirSync(join(REPO_ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(Object.keys(config.ALLOWED).sort()).toEqual(folders);
    // Depth-first search for a back edge in the allowed graph.
    const state = new Map<string, 'open' | 'done'>();
    const cycle = (v: string, path: string[]): string[] | undefined => {
      if (state.get(v) === 'done') return undefined;
      if (state.get(v) === 'open') return [...path, v];
      state.set(v, 'open');
      for (const w of config.ALLOWED[v] ?? []) {
        const c = cycle(w, [...path, v]);
        if (c) return c;
      }
      state.set(v, 'done');
      return undefined;
    };
    for (const v of Object.keys(config.ALLOWED)) expect(cycle(v, [])).toBeUndefined();
    // The design's named arrows.
    for (const up of ['analyze', 'gate', 'report', 'app', 'cli']) expect(config.ALLOWED.drive).not.toContain(up);
    for (const f of ['gate', 'report', 'analyze']) expect(config.ALLOWED[f]).not.toContain('drive');
    for (const up of ['analyze', 'gate', 'drive', 'collect']) expect(config.ALLOWED.telemetry).not.toContain(up);
  });

  it('fails, naming the file and the arrow, when a driver imports judgement (fixture)', async () => {
    const r = await cruiseSrc(join(REPO_ROOT, 'test/fixtures/layering'));
    expect(violations(r)).toEqual([`src/drive/replay.ts → src/analyze/noise.ts (drive-imports-only-${config.ALLOWED.drive!.join('-')})`]);
    expect(r.summary.error).toBe(1);
  }, 60_000);
});
