import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumOrFail, launchChromium, type HeadlessChromium } from './support/chromium.ts';
import { REPO_ROOT, runCli, withoutDefaultNote } from './support/cli.ts';
import { startServer, type TestServer } from './support/servers.ts';

const XSS = {
  script: '<script>alert(1)</script>',
  img: '<img src=x onerror=alert(2)>',
  link: '<a href="javascript:alert(3)">home</a>',
  breakout: '</script><script>alert(4)</script>',
};
const SCREENSHOT = join(REPO_ROOT, 'test-output', 'report-html.png');

/** A `notes` API written twice; the candidate drifts the way ports do, and every body carries hostile strings. */
async function startTwins(): Promise<[TestServer, TestServer]> {
  const json = (res: import('node:http').ServerResponse, body: unknown, delayMs = 0) =>
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }, delayMs);
  const rust = await startServer((req, res) => {
    if (req.url === '/v1/notes/1') json(res, { id: 1, title: XSS.script, avatar: XSS.img, link: XSS.link, created_at: new Date().toISOString(), request_id: randomUUID(), tags: [] });
    else json(res, { errors: [{ Required: { field: XSS.script, reason: 'missing \u2028 field' } }] });
  });
  const go = await startServer((req, res) => {
    // A small, steady extra cost on one route, so the two distributions differ visibly.
    if (req.url === '/v1/notes/1') json(res, { id: 1, title: XSS.breakout, avatar: `${XSS.img} `, link: 'javascript:alert(3)', createdAt: new Date().toISOString(), request_id: randomUUID(), tags: null }, 1);
    else json(res, { errors: [{ Kind: 'required', Field: XSS.script, Reason: 'missing \u2028 field', Allowed: null }] });
  });
  return [rust, go];
}

async function writeScenario(dir: string, rust: string, go: string): Promise<string> {
  await writeFile(
    join(dir, 'notes.cases.yaml'),
    ['service: notes', 'cases:', '  - id: get-note', '    request: { method: GET, path: /v1/notes/1, route: "/v1/notes/{id}" }', '  - id: bad-note', '    request: { method: POST, path: /v1/notes, json: { title: 1 } }'].join('\n'),
  );
  await writeFile(
    join(dir, 'ledger.yaml'),
    [
      'version: 1',
      'entries:',
      '  - { id: NOTE-1, service: notes, route: "/v1/notes/{id}", class: key-case, path: "/**", status: open, note: "Go json tags missing <b>bold</b>" }',
      '  - { id: NOTE-2, service: notes, route: /v1/notes, class: enum-encoding, path: "/**", status: fixed, note: fixed in 2.1 }',
      '  - { id: NOTE-3, service: notes, route: /v1/notes, class: number-repr, path: /total, status: open, note: gone already }',
    ].join('\n'),
  );
  const config = join(dir, 'gauntlet.config.yaml');
  await writeFile(
    config,
    [
      'stack:',
      '  services:',
      '    notes:',
      '      primary: rust',
      '      candidate: go',
      '      runtimes:',
      `        rust: { url: "${rust}" }`,
      `        go: { url: "${go}" }`,
      'parity: { cases: [notes.cases.yaml], repeat: 25 }',
      'store: { path: store.duckdb }',
      'reports: { dir: reports }',
      'gate: { ledger: ledger.yaml }',
    ].join('\n'),
  );
  return config;
}

// In-page probes, as source text: this project type-checks without the DOM lib.
interface DomProbe {
  handlers: string[];
  badHrefs: string[];
  scripts: number;
  images: number;
  iframes: number;
}
const DOM_PROBE = `({
  handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => e.tagName + ' ' + a.name)),
  badHrefs: [...document.querySelectorAll('[href], [src]')].map((e) => e.getAttribute('href') ?? e.getAttribute('src') ?? '')
    .filter((h) => !h.startsWith('#') && !h.startsWith('data:image/svg+xml')),
  scripts: document.scripts.length,
  images: document.images.length,
  iframes: document.querySelectorAll('iframe, object, embed').length,
})`;

/** Per chart canvas: its size and how many pixels carry each runtime's stroke colour (#e8590c, #1971c2). */
interface CanvasProbe {
  w: number;
  h: number;
  rust: number;
  go: number;
}
const CANVAS_PROBE = `[...document.querySelectorAll('#latency .uplot canvas')].map((c) => {
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const near = (i, r, g, b) => Math.abs(px[i] - r) < 12 && Math.abs(px[i + 1] - g) < 12 && Math.abs(px[i + 2] - b) < 12 && px[i + 3] > 200;
  let rust = 0;
  let go = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (near(i, 232, 89, 12)) rust++;
    if (near(i, 25, 113, 194)) go++;
  }
  return { w: c.width, h: c.height, rust, go };
})`;

interface PageWatch {
  consoleErrors: string[];
  requests: string[];
  dialogs: string[];
}

async function openReport(page: Page, file: string): Promise<PageWatch> {
  const url = pathToFileURL(file).href;
  const watch: PageWatch = { consoleErrors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') watch.consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => watch.consoleErrors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    watch.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (r.url() !== url) watch.requests.push(r.url());
  });
  // Belt and braces: anything but the document itself is aborted, so a regression cannot reach out.
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.goto(url);
  try {
    await page.waitForSelector('html[data-rendered]', { timeout: 10_000 });
  } catch (err) {
    throw new Error(`the report did not finish rendering: ${(err as Error).message}\nconsole: ${watch.consoleErrors.join('\n') || '(nothing)'}`);
  }
  return watch;
}

describe('HTML report of a real run, in headless Chromium', () => {
  const browser = chromiumOrFail();
  if (browser.failure) it('needs Debian chromium', () => expect.fail(browser.failure));

  let dir: string;
  let twins: TestServer[] = [];
  let html: string;
  let chrome: HeadlessChromium | undefined;
  let page: Page;
  let watch: PageWatch;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-html-'));
    twins = await startTwins();
    const r = await runCli(['run', '--config', await writeScenario(dir, twins[0]!.url, twins[1]!.url)]);
    expect(withoutDefaultNote(r.stderr)).toBe('');
    expect([0, 1]).toContain(r.code);
    const m = /^html report: (.+\.html)$/m.exec(r.stdout);
    if (!m) throw new Error(`run printed no html report path:\n${r.stdout}`);
    html = m[1]!;
    if (!browser.run) return;
    chrome = await launchChromium();
    page = await chrome.context.newPage();
    watch = await openReport(page, html);
  }, 60_000);

  afterAll(async () => {
    await chrome?.close();
    await Promise.all(twins.map((t) => t.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('is one self-contained file beside the run\'s other reports, with a strict CSP and escaped data', async () => {
    expect(html).toMatch(/reports[/\\]r-[^/\\]+[/\\]report\.html$/);
    expect(existsSync(join(html, '..', 'gate.json'))).toBe(true);
    const text = await readFile(html, 'utf8');
    expect(text).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^"]+; img-src data:;[^"]*require-trusted-types-for 'script'/);
    expect(text).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i);
    const data = /<script type="application\/json" id="gauntlet-data">([^]*?)<\/script>/.exec(text)![1]!;
    expect(data).not.toMatch(/[<>&\u2028\u2029]/);
    expect(text.match(/<script/g)).toHaveLength(3);
    expect(JSON.stringify(JSON.parse(data))).toContain(JSON.stringify(XSS.breakout).slice(1, -1));
  });

  describe.skipIf(!browser.run)('in the browser', () => {
    it('renders with no console errors, no network requests and no dialog', () => {
      expect(watch.consoleErrors).toEqual([]);
      expect(watch.requests).toEqual([]);
      expect(watch.dialogs).toEqual([]);
    });

    it('shows hostile response bodies as visible, inert text', async () => {
      const findings = page.locator('#findings');
      const text = await findings.innerText();
      for (const s of [XSS.script, XSS.img, 'javascript:alert(3)', XSS.breakout]) expect(text).toContain(s);
      await expect(findings.getByText(XSS.img, { exact: false }).first().isVisible()).resolves.toBe(true);
      const dom = await page.evaluate<DomProbe>(DOM_PROBE);
      expect(dom).toEqual({ handlers: [], badHrefs: [], scripts: 3, images: 0, iframes: 0 });
    });

    it('labels findings against the ledger and marks the difference inside both snippets', async () => {
      const labels = await page.locator('#findings .card-head .chip:first-child').allInnerTexts();
      expect(new Set(labels)).toEqual(new Set(['new', 'known', 'regressed', 'resolved?']));
      const enumCard = page.locator('article.card.regressed', { hasText: 'enum-encoding' });
      await expect(enumCard.locator('.m-tag').allInnerTexts()).resolves.toEqual(['"Required"', '"Kind"', '"required"']);
      await expect(enumCard.locator('.m-case').allInnerTexts()).resolves.toEqual(['"field"', '"reason"', '"Field"', '"Reason"']);
      await expect(enumCard.locator('.m-only').allInnerTexts()).resolves.toEqual(['"Allowed": null']);
      expect(await page.locator('article.card.known').innerText()).toMatch(/NOTE-1[^]*created_at[^]*createdAt/);
      expect(await page.locator('#noise').innerText()).toMatch(/request_id/);
    });

    it('draws a latency CDF and histogram per route, with both runtimes\' lines on the canvas', async () => {
      const charts = await page.evaluate<CanvasProbe[]>(CANVAS_PROBE);
      expect(charts.length).toBe(4); // 2 routes × (CDF + histogram)
      for (const c of charts) {
        expect(c.w).toBeGreaterThan(200);
        expect(c.h).toBeGreaterThan(150);
        expect(c.rust).toBeGreaterThan(50);
        expect(c.go).toBeGreaterThan(50);
      }
      expect(await page.locator('#latency').innerText()).toMatch(/p50[^]*×\d\.\d{3}/);
    });

    it('draws a log latency axis over any range: no error and both lines drawn wherever the range starts (uPlot\'s own log splits loop when it starts just below a decade)', async () => {
      const text = await readFile(html, 'utf8');
      const re = /(<script type="application\/json" id="gauntlet-data">)([^]*?)(<\/script>)/;
      const data = JSON.parse(re.exec(text)![2]!) as { latency: Array<{ route: string; cdf: { x: number[]; log: boolean }; histogram: { x: number[]; log: boolean } }> };
      const base = data.latency[0]!;
      expect(base.cdf.log).toBe(true);
      // Scaled copies of a real chart whose smallest sample sits where the seen failure did (0.110148 ms:
      // the range starts at 0.0958) and around other decades, one of them spanning less than a 1-2-5 step.
      const starts = [0.110148, 0.0011, 0.0109, 1.12, 11.4, 114.9];
      data.latency = starts.map((start, i) => {
        const k = start / base.cdf.x[0]!;
        const scale = (xs: number[]) => xs.map((v) => Number((v * k).toPrecision(6)));
        const narrow = i === starts.length - 1;
        const squeeze = (xs: number[]) => (narrow ? xs.map((v) => start + (v * k - start) * 0.001) : scale(xs));
        return { ...base, route: `${base.route}#${start}`, cdf: { ...base.cdf, x: squeeze(base.cdf.x) }, histogram: { ...base.histogram, x: squeeze(base.histogram.x) } };
      });
      const json = JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const file = join(dir, 'log-axes.html');
      await writeFile(file, text.replace(re, (_m, open: string, _d, close: string) => open + json + close));
      const other = await chrome!.context.newPage();
      try {
        const w = await openReport(other, file);
        expect(w.consoleErrors).toEqual([]);
        const charts = await other.evaluate<CanvasProbe[]>(CANVAS_PROBE);
        expect(charts.length).toBe(starts.length * 2);
        for (const c of charts) expect(Math.min(c.rust, c.go)).toBeGreaterThan(50);
      } finally {
        await other.close();
      }
    });

    it('saves a full-page screenshot (and the report itself) under test-output/', async () => {
      await mkdir(join(REPO_ROOT, 'test-output'), { recursive: true });
      await copyFile(html, join(REPO_ROOT, 'test-output', 'report-html.html'));
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(existsSync(SCREENSHOT)).toBe(true);
    });
  });
});
