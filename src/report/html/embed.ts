import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * JSON safe inside `<script type="application/json">`: `<`, `>` and `&` become \u escapes so a
 * response body holding `</script>` or `<!--` cannot end the block or open a comment, and
 * U+2028/U+2029 are escaped for any consumer that still treats them as line ends. JSON.parse
 * reads the escapes back as the original characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A CSP source expression allowing exactly this inline `<script>`/`<style>` text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * Text placed raw inside `<script>` or `<style>` must not contain its own end tag. Vendor and
 * client code are ours to check, not to rewrite (their CSP hash is over the exact text).
 */
export function assertRawTextSafe(text: string, element: 'script' | 'style', name: string): string {
  if (new RegExp(`</${element}`, 'i').test(text) || /<!--/.test(text)) throw new Error(`${name} cannot be inlined: it contains </${element} or <!--`);
  return text;
}

const require = createRequire(import.meta.url);
const cache = new Map<string, string>();

function readOnce(key: string, load: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    text = load();
    cache.set(key, text);
  }
  return text;
}

/** uPlot's browser build and stylesheet, read from node_modules at render time (never fetched). */
export function uplotAssets(): { js: string; css: string } {
  return {
    js: readOnce('uplot.js', () => assertRawTextSafe(readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'), 'script', 'uPlot')),
    css: readOnce('uplot.css', () => assertRawTextSafe(readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'), 'style', 'uPlot CSS')),
  };
}

/** The report's own browser script, a plain file beside this one (shipped as-is, no build step). */
export function clientScript(): string {
  return readOnce('client.js', () => assertRawTextSafe(readFileSync(new URL('./client.js', import.meta.url), 'utf8'), 'script', 'client.js'));
}
