/**
 * Dashboards checked against Grafana's published dashboard types (`@grafana/schema`, the classic
 * v1 model Grafana generates from its CUE schema): each JSON file becomes an object literal typed
 * `GrafanaJson<Dashboard>` in a generated .ts file, and the real TypeScript compiler judges it —
 * wrong types, misspelled keys (excess-property checks on the literal) and values outside a union
 * (`mode: "absolut"`, `type: "valu"`) are compile errors naming the file's line.
 *
 * Two loosenings, both where JSON and the published types meet, not where dashboards could hide errors:
 *  - Grafana declares some string unions as TypeScript enums (ThresholdsMode, MappingType…); a
 *    JSON string can never be an enum member, so every string enum is replaced by the union of its
 *    values (`${E}`), which is exactly what Grafana stores in JSON.
 *  - A data source's own query fields are open in Grafana's types (panel `targets` are
 *    Record<string, unknown>); annotation queries get the same openness, because the Prometheus
 *    annotation options (`titleFormat`, `useValueForTime`, `target.expr`…) are the plugin's, not the schema's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { REPO_ROOT } from './cli.ts';

const PRELUDE = `import type { Dashboard, AnnotationQuery } from '@grafana/schema';
type GrafanaJson<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T : T extends ReadonlyArray<infer U> ? Array<GrafanaJson<U>> : T extends object ? { [K in keyof T]: GrafanaJson<T[K]> } : T;
type Annotation = GrafanaJson<Omit<AnnotationQuery, 'target'>> & { target?: { refId: string } & Record<string, unknown> } & Record<string, unknown>;
type DashboardJson = Omit<GrafanaJson<Dashboard>, 'annotations'> & { annotations?: { list?: Annotation[] } };
`;

export interface SchemaCheck {
  ok: boolean;
  /** tsc's diagnostics, with the generated file's name replaced by the dashboard's. */
  errors: string[];
}

/** Type-check named dashboard JSON texts against @grafana/schema with the repository's tsc. */
export async function checkDashboardTypes(dashboards: Array<{ name: string; text: string }>): Promise<Record<string, SchemaCheck>> {
  // Inside the repository, so `@grafana/schema` resolves through its node_modules.
  const dir = await mkdtemp(join(REPO_ROOT, '.grafana-schema-'));
  try {
    const files = dashboards.map((d, i) => ({ ...d, file: join(dir, `dashboard${i}.ts`) }));
    for (const f of files) await writeFile(f.file, `${PRELUDE}export const dashboard: DashboardJson = ${f.text.trim()};\n`);
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--exactOptionalPropertyTypes', 'false', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--pretty', 'false', ...files.map((f) => f.file)], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
    if (r.error) throw r.error;
    const lines = `${r.stdout}${r.stderr}`.split('\n').filter(Boolean);
    const preludeLines = PRELUDE.split('\n').length - 1;
    const out: Record<string, SchemaCheck> = {};
    for (const f of files) {
      const mine = lines.filter((l) => l.startsWith(`${basename(f.file)}(`)).map((l) => l.replace(basename(f.file), f.name).replace(/\((\d+),/, (_m, n: string) => `(line ${Number(n) - preludeLines},`));
      out[f.name] = { ok: mine.length === 0, errors: mine };
    }
    const unattributed = lines.filter((l) => !files.some((f) => l.startsWith(`${basename(f.file)}(`)) && /error TS/.test(l));
    if (unattributed.length) throw new Error(`tsc failed outside the dashboards:\n${unattributed.join('\n')}`);
    if (r.status !== 0 && Object.values(out).every((c) => c.ok)) throw new Error(`tsc exited ${r.status} without a diagnostic:\n${lines.join('\n')}`);
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
