/**
 * The report a newcomer gets from `npm start`: the embedded default run (reference twins with their
 * known divergences, a replay with ~200 cases, a load phase), opened in real headless Chromium at
 * 1400×900. It must lead with the answer — verdict, reasons, unjudged tails, findings above the
 * fold — show only the diverging cases until asked, draw the load charts, show no empty legends,
 * and still give the verdict and findings with scripts off. The terminal must say loudly which
 * tails were not judged, and the default load must collect enough samples to judge p95.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumOrFail, launchChromium, type HeadlessChromium } from './support/chromium.ts';
import { REPO_ROOT, runCli, withoutDefaultNote, type CliResult } from './support/cli.ts';

const VIEWPORT = { width: 1400, height: 900 };

interface Quantile { p: number; skipped?: string }
interface Verdict { verdict: string; n: { a: number; b: number }; quantiles: Quantile[] }
interface GateJson {
  verdict: string;
  reasons: string[];
  findings: unknown[];
  latency: Array<{ service: string; method: string; route: string; notComparable?: string; verdict: Verdict }>;
}
interface ReportJson {
  cases: Array<{ service: string; case: string; statusMatch: boolean; shapeMatch: boolean; findings: unknown[] }>;
  load: { runtimes: string[]; scenarios: Array<{ name: string; routes: Array<{ method: string; route: string; verdict: Verdict | null }> }> };
}

/** Independently of the renderer: every decided route with a tail quantile left out, as "where: p99". */
function expectedTails(gate: GateJson, report: ReportJson): string[] {
  const out: string[] = [];
  const add = (where: string, v: Verdict) => {
    if (v.verdict === 'inconclusive') return;
    for (const q of v.quantiles) if (q.skipped !== undefined && q.p > 0 && q.p < 1) out.push(`${where}: p${Math.round(q.p * 1000) / 10}`);
  };
  for (const l of gate.latency) if (!l.notComparable) add(`${l.service} ${l.method} ${l.route}`, l.verdict);
  for (const s of report.load.scenarios) for (const r of s.routes) if (r.verdict) add(`load ${s.name} ${r.method} ${r.route}`, r.verdict);
  return out;
}

/** Per chart canvas under `scope`: size and pixels in the first two runtime colours (#e8590c, #1971c2). */
const canvasProbe = (scope: string) => `[...document.querySelectorAll('${scope} .uplot canvas')].map((c) => {
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const near = (i, r, g, b) => Math.abs(px[i] - r) < 16 && Math.abs(px[i + 1] - g) < 16 && Math.abs(px[i + 2] - b) < 16 && px[i + 3] > 200;
  let a = 0;
  let b = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (near(i, 232, 89, 12)) a++;
    if (near(i, 25, 113, 194)) b++;
  }
  return { title: c.closest('.chart').querySelector('h4').textContent, w: c.width, h: c.height, a, b };
})`;

/** Every chart legend: its visible entries' labels and values, and what the label's ::after adds. */
const LEGEND_PROBE = `[...document.querySelectorAll('.uplot .u-legend')].map((lg) => {
  const shown = (e) => getComputedStyle(e).display !== 'none';
  return [...lg.querySelectorAll('tr.u-series')].filter(shown).map((tr) => ({
    label: tr.querySelector('.u-label')?.textContent ?? '',
    values: [...tr.querySelectorAll('.u-value')].filter(shown).map((v) => v.textContent),
    after: getComputedStyle(tr.querySelector('th'), '::after').content,
  }));
})`;

describe('the default run\'s report, in headless Chromium at 1400×900', () => {
  const browser = chromiumOrFail();
  if (browser.failure) it('needs Debian chromium', () => expect.fail(browser.failure));

  let dir: string;
  let run: CliResult;
  let html: string;
  let gate: GateJson;
  let report: ReportJson;
  let chrome: HeadlessChromium | undefined;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-lead-'));
    // `npm start` is `gauntlet run` at the repository root: the embedded default config.
    run = await runCli(['run', '--store', join(dir, 'store.duckdb'), '--reports-dir', join(dir, 'reports')], { timeoutMs: 240_000 });
    expect(withoutDefaultNote(run.stderr).replace(/^warning: [^\n]*dropped[^\n]*\n/gm, '')).toBe('');
    expect([0, 1]).toContain(run.code);
    const m = /^html report: (.+\.html)$/m.exec(run.stdout);
    if (!m) throw new Error(`run printed no html report path:\n${run.stdout}\n${run.stderr}`);
    html = m[1]!;
    gate = JSON.parse(await readFile(join(html, '..', 'gate.json'), 'utf8')) as GateJson;
    report = JSON.parse(await readFile(join(html, '..', 'report.json'), 'utf8')) as ReportJson;
    if (!browser.run) return;
    chrome = await launchChromium(VIEWPORT);
    page = await chrome.context.newPage();
    page.on('console', (msg) => (msg.type() === 'error' || msg.type() === 'warning') && errors.push(msg.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => (route.request().url() === pathToFileURL(html).href ? route.continue() : route.abort()));
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector('html[data-rendered]', { timeout: 15_000 });
  }, 300_000);

  afterAll(async () => {
    await chrome?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the default load phase plans and collects enough samples a side to judge p95 (10 beyond it: 200)', async () => {
    const scenarios = parseYaml(await readFile(join(REPO_ROOT, 'load/vectord.run.yaml'), 'utf8')) as { scenarios: Record<string, { rate: number; duration: string }> };
    for (const s of Object.values(scenarios.scenarios)) expect(s.rate * Number.parseFloat(s.duration)).toBeGreaterThanOrEqual(250);
    const routes = report.load.scenarios.flatMap((s) => s.routes);
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) {
      expect(r.verdict, `${r.method} ${r.route}`).not.toBeNull();
      expect(Math.min(r.verdict!.n.a, r.verdict!.n.b)).toBeGreaterThanOrEqual(200);
      const p95 = r.verdict!.quantiles.find((q) => q.p === 0.95)!;
      expect(p95.skipped).toBeUndefined();
    }
  });

  it('says loudly in the terminal, next to the verdict, which tails were not judged and what n would judge them', () => {
    const want = expectedTails(gate, report);
    // p99 needs 1,000 a side; the default run's load has 300: at least that route's p99 is named.
    expect(want.some((w) => w.startsWith('load ') && w.endsWith('p99'))).toBe(true);
    const lines = run.stdout.split('\n');
    const headline = lines.findIndex((l) => l.startsWith('⚠ TAILS NOT JUDGED'));
    const assessment = lines.findIndex((l) => l.startsWith('production assessment:'));
    expect(headline).toBeGreaterThan(0);
    expect(assessment).toBeGreaterThan(headline);
    const block = lines.slice(headline + 1, assessment);
    expect(block).toHaveLength(new Set(want.map((w) => w.split(': ')[0])).size);
    for (const w of want) {
      const [where, p] = w.split(': ');
      const line = block.find((l) => l.startsWith(`  ⚠ ${where} (`));
      expect(line, w).toBeDefined();
      expect(line).toContain(p === 'p99' ? 'p99 needs 1,000 a side' : `${p} needs`);
    }
  });

  it('prints no absurd sample-size hint: every "about N a side" is at most 50,000', () => {
    const hints = [...run.stdout.matchAll(/about ([\d,]+) a side/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    for (const n of hints) expect(n).toBeLessThanOrEqual(50_000);
  });

  describe.skipIf(!browser.run)('in the browser', () => {
    it('renders with no console errors', () => {
      expect(errors).toEqual([]);
    });

    it('puts the verdict, the reasons, the unjudged tails and the findings above the fold', async () => {
      const box = async (sel: string) => {
        const b = await page.locator(sel).first().boundingBox();
        if (!b) throw new Error(`${sel} is not laid out`);
        return b;
      };
      await expect(page.locator('#verdict h1').innerText()).resolves.toBe(gate.verdict.toUpperCase());
      expect((await box('#verdict h1')).y).toBeLessThan(100);
      if (gate.reasons.length) expect((await box('#summary ul.reasons')).y).toBeLessThan(VIEWPORT.height);
      const tails = expectedTails(gate, report);
      await expect(page.locator('#tails li').count()).resolves.toBe(new Set(tails.map((w) => w.split(': ')[0])).size);
      const heading = await box('#findings h2');
      expect(heading.y + heading.height).toBeLessThanOrEqual(VIEWPORT.height);
      expect(gate.findings.length).toBeGreaterThan(0);
      const firstCard = await box('#findings article.card .card-head');
      expect(firstCard.y + firstCard.height).toBeLessThanOrEqual(VIEWPORT.height);
      // And the cases come after them, not before.
      expect((await box('#cases')).y).toBeGreaterThan(heading.y);
    });

    it('shows only the diverging cases by default, all of them on request, filters by text and sorts by a column', async () => {
      const groups = new Map<string, boolean>();
      for (const c of report.cases) {
        const key = `${c.service} ${c.case}`;
        groups.set(key, (groups.get(key) ?? false) || c.findings.length > 0 || !c.statusMatch || !c.shapeMatch);
      }
      const diverging = [...groups].filter(([, d]) => d).map(([k]) => k.split(' ')[1]!);
      expect(groups.size).toBeGreaterThan(100);
      expect(diverging.length).toBeGreaterThan(0);
      expect(diverging.length).toBeLessThan(groups.size);
      const visibleCases = () => page.locator('#cases-table tbody tr:visible td:nth-child(2)').allInnerTexts();
      expect((await visibleCases()).sort()).toEqual([...diverging].sort());
      await page.locator('#cases-show-all').check();
      await expect(visibleCases().then((v) => v.length)).resolves.toBe(groups.size);
      await page.locator('#cases-filter').fill('missing-required-id');
      await expect(visibleCases()).resolves.toEqual(['missing-required-id']);
      await page.locator('#cases-filter').fill('');
      await page.locator('#cases-table thead th', { hasText: 'pairs' }).click();
      const pairs = (await page.locator('#cases-table tbody tr td:nth-child(4)').allInnerTexts()).map(Number);
      expect(pairs).toEqual([...pairs].sort((a, b) => a - b));
      await page.locator('#cases-table thead th', { hasText: 'pairs' }).click();
      const down = (await page.locator('#cases-table tbody tr td:nth-child(4)').allInnerTexts()).map(Number);
      expect(down).toEqual([...pairs].sort((a, b) => b - a));
      expect(down[0]).toBeGreaterThan(down[down.length - 1]!);
      await page.locator('#cases-show-all').uncheck();
      await expect(visibleCases().then((v) => v.length)).resolves.toBe(diverging.length);
    });

    it('draws the load charts: rate and latency per block and a CDF per runtime, both runtimes on each canvas', async () => {
      const charts = await page.evaluate<Array<{ title: string; w: number; h: number; a: number; b: number }>>(canvasProbe('#load'));
      expect(charts.map((c) => c.title)).toEqual(report.load.scenarios.flatMap(() => ['Rate per block', 'Latency per block (p50, p95)', 'Latency CDF per runtime']));
      for (const c of charts) {
        expect(c.w, c.title).toBeGreaterThan(250);
        expect(c.h, c.title).toBeGreaterThan(150);
        expect(c.a, `${c.title}: ${report.load.runtimes[0]}`).toBeGreaterThan(30);
        expect(c.b, `${c.title}: ${report.load.runtimes[1]}`).toBeGreaterThan(30);
      }
      const rate = await page.locator('#load .chart', { hasText: 'Rate per block' }).first().locator('.u-legend .u-label').allInnerTexts();
      expect(rate).toEqual(expect.arrayContaining(report.load.runtimes.map((r) => `${r} rate`)));
    });

    it('shows no empty legend: every legend names its series, with no blank or placeholder values', async () => {
      const legends = await page.evaluate<Array<Array<{ label: string; values: Array<string | null>; after: string }>>>(LEGEND_PROBE);
      const seen = `legends: ${JSON.stringify(legends)}; page errors: ${JSON.stringify(errors)}`;
      expect(legends.length, seen).toBeGreaterThanOrEqual(3);
      for (const entries of legends) {
        expect(entries.length, seen).toBeGreaterThan(0);
        for (const e of entries) {
          expect(e.label.trim(), seen).not.toBe('');
          expect(['none', 'normal'], seen).toContain(e.after);
          for (const v of e.values) expect(v?.trim() ?? '', seen).not.toMatch(/^(|--|—)$/);
        }
      }
    });

    it('still gives the verdict, the reasons, the tails and the findings with scripts off', async () => {
      const off = await launchChromium(VIEWPORT, { javaScriptEnabled: false });
      const p = await off.context.newPage();
      try {
        await p.goto(pathToFileURL(html).href);
        await expect(p.locator('#verdict h1').innerText()).resolves.toBe(gate.verdict.toUpperCase());
        await expect(p.locator('#summary ul.reasons li').count()).resolves.toBe(gate.reasons.length);
        await expect(p.locator('#findings-plain li').count()).resolves.toBe(gate.findings.length);
        const b = await p.locator('#findings-plain h2').boundingBox();
        expect(b).not.toBeNull();
        expect(await p.evaluate('document.documentElement.hasAttribute("data-rendered")')).toBe(false);
      } finally {
        await off.close();
      }
    });
  });
});
