import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMAND_NAMES, parseCLI } from '../src/cli/parse.ts';
import { REPO_ROOT } from './support/cli.ts';

/**
 * The README is a user's document with the detail in docs/; these checks keep the two honest:
 * the architecture table lists every src/ folder with the imports .dependency-cruiser.cjs allows,
 * the README's table of contents and links resolve, and every option a README synopsis shows is
 * an option of that command. (The README's command lines are run by test/readme-commands.test.ts.)
 */
const require = createRequire(import.meta.url);
const { ALLOWED } = require(join(REPO_ROOT, '.dependency-cruiser.cjs')) as { ALLOWED: Record<string, string[]> };
const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const ARCH = readFileSync(join(REPO_ROOT, 'docs/architecture.md'), 'utf8');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

describe('docs/architecture.md: the folder table', () => {
  const rows = new Map([...ARCH.matchAll(/^\| `(src\/[^`]+\/)` \| [^|]+ \| ([^|]*) \|$/gm)].map((m) => [m[1]!, m[2]!.trim()]));

  it('lists every folder under src/ (two levels deep) and no folder that is gone', () => {
    const folders: string[] = [];
    for (const top of readdirSync(join(REPO_ROOT, 'src'), { withFileTypes: true })) {
      if (!top.isDirectory()) continue;
      folders.push(`src/${top.name}/`);
      for (const sub of readdirSync(join(REPO_ROOT, 'src', top.name), { withFileTypes: true })) if (sub.isDirectory()) folders.push(`src/${top.name}/${sub.name}/`);
    }
    expect([...rows.keys()].sort()).toEqual(folders.sort());
  });

  it('gives each top-level folder exactly the imports .dependency-cruiser.cjs allows', () => {
    for (const [folder, allowed] of Object.entries(ALLOWED)) {
      const cell = rows.get(`src/${folder}/`);
      expect(cell, `src/${folder}/ row`).toBeDefined();
      if (cell === 'everything but cli') {
        expect(Object.keys(ALLOWED).filter((f) => f !== folder && f !== 'cli').sort()).toEqual([...allowed].sort());
        continue;
      }
      const named = cell === '—' ? [] : cell!.replace(/ — never .*$/, '').split(',').map((s) => s.trim());
      expect(named.sort(), `may import of src/${folder}/`).toEqual([...allowed].sort());
    }
  });
});

describe('README: contents and links', () => {
  const headings = new Set([...README.matchAll(/^#{2,4} (.+)$/gm)].map((m) => anchor(m[1]!)));
  // Sections other helpers' documents fill in later: their docs/ file may not exist yet.
  const pending = new Set([...README.matchAll(/<!-- README placeholder: [^>]*?\(details in (docs\/[\w.-]+)\)/g)].map((m) => m[1]!));

  it('has a table of contents whose entries are all headings of the README', () => {
    const toc = README.slice(README.indexOf('## Contents'), README.indexOf('\n## ', README.indexOf('## Contents') + 1));
    const links = [...toc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(8);
    for (const l of links) expect(headings, `#${l}`).toContain(l);
  });

  it('links only to files that exist and headings that exist, in the README and in docs/', () => {
    const broken: string[] = [];
    const files = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    for (const file of files) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        if (target.startsWith('#')) {
          const own = new Set([...text.matchAll(/^#{1,4} (.+)$/gm)].map((h) => anchor(h[1]!)));
          if (!own.has(target.slice(1))) broken.push(`${file}: ${target}`);
          continue;
        }
        const path = join(dirname(file), target.split('#')[0]!);
        if (pending.has(path)) continue;
        if (!existsSync(join(REPO_ROOT, path))) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('has no "target (issue)" column and no issue numbers as targets', () => {
    expect(README).not.toMatch(/target \(issue\)/);
    expect(readFileSync(join(REPO_ROOT, 'docs/performance.md'), 'utf8')).not.toMatch(/target \(issue\)/);
  });
});

describe('README: every option a command synopsis shows is an option of that command', () => {
  const synopses = [...README.matchAll(/`gauntlet ([a-z]+)([^`]*)`/g)].map((m) => ({ name: m[1]!, rest: m[2]!, text: m[0] }));

  it('the README names every command', () => {
    for (const name of COMMAND_NAMES) expect(synopses.map((s) => s.name), `gauntlet ${name}`).toContain(name);
  });

  it.each(synopses.map((s) => [s.text, s] as const))('%s', (_t, s) => {
    expect(COMMAND_NAMES, `${s.text}: no such command`).toContain(s.name);
    const options = COMMANDS[s.name as keyof typeof COMMANDS].options as Record<string, unknown>;
    for (const m of s.rest.matchAll(/(?:^|[\s[|(])--([a-z][a-z0-9-]*)/g)) {
      expect(Object.keys(options), `${s.text}: --${m[1]} is not an option of gauntlet ${s.name}`).toContain(m[1]);
    }
  });
});

describe('help examples: every example of every command parses, and names files that exist', () => {
  const examples = COMMAND_NAMES.flatMap((name) => ((COMMANDS[name] as { examples?: readonly string[] }).examples ?? []).map((e) => [name, e] as const));

  it('there are examples', () => {
    expect(examples.length).toBeGreaterThan(15);
  });

  it.each(examples)('%s: %s', (name, example) => {
    const argv = example.split(/\s+/).slice(1);
    expect(argv[0]).toBe(name);
    const parsed = parseCLI(argv);
    expect(parsed.command, example).toBe(name);
    for (const word of argv) {
      if (/^(harness|load|grafana|test\/fixtures)\//.test(word)) expect(existsSync(join(REPO_ROOT, word)), `${example}: ${word}`).toBe(true);
    }
  });
});
