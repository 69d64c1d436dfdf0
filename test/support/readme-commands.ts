/**
 * The command lines a README shows, extracted so test/readme-commands.test.ts can run every one of
 * them (the README cannot drift from what works). A command line is a line of a ```sh, ```bash or
 * ```shell code block; other blocks (YAML, TypeScript, sample output) are not commands.
 *
 * Conventions the README follows, read here:
 * - a line ending in `\` continues on the next line;
 * - `# …` after the command is a comment; `# exits N: why` declares the exit code the command is
 *   documented to have (0 when not declared);
 * - a command ending in `&` runs until stopped (a daemon, a proxy, `watch`): it is started in the
 *   background, ready once the port of its `--port N` / `--listen HOST:PORT` accepts connections,
 *   and stopped with SIGINT when its code block ends;
 * - `VAR=value` words before the program are environment settings.
 */

export type Program = 'gauntlet' | 'npm-start' | 'npm-test' | 'npm-run' | 'curl' | 'k6';

export interface ReadmeCommand {
  /** 1-based line of the README where the command starts. */
  line: number;
  /** The command as a shell would run it: continuation lines joined, comment and `&` removed. */
  text: string;
  /** The comment after the command, if any. */
  comment: string | undefined;
  expectedExit: number;
  background: boolean;
  /** What runs it, or undefined when the test does not know the program (which fails the test). */
  program: Program | undefined;
  /** The first word after any VAR=value settings. */
  programWord: string;
  /** For background commands: the loopback port that says it is ready. */
  readyPort: number | undefined;
  /** Why this is not a runnable command line (a synopsis with placeholders), if it is not. */
  problem: string | undefined;
}

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  commands: ReadmeCommand[];
}

const SHELL_FENCE = /^```(sh|bash|shell)\s*$/;

/** Index of the `#` that starts a comment (preceded by whitespace, outside quotes), or -1. */
function commentStart(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return i;
  }
  return -1;
}

/** The text outside single and double quotes (placeholders are looked for there only). */
function unquoted(text: string): string {
  return text.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, ' ');
}

function classify(words: string[]): Program | undefined {
  const [a, b] = words;
  if (a === 'gauntlet') return 'gauntlet';
  if (a === 'npx' && b === 'gauntlet') return 'gauntlet';
  if (a === 'node' && b === 'bin/gauntlet.mjs') return 'gauntlet';
  if (a === 'npm' && b === 'start' && words.length === 2) return 'npm-start';
  if (a === 'npm' && (b === 'test' || b === 't') && words.length === 2) return 'npm-test';
  if (a === 'npm' && b === 'run' && words[2]) return 'npm-run';
  if (a === 'curl') return 'curl';
  if (a === 'k6') return 'k6';
  return undefined;
}

function readyPortOf(text: string): number | undefined {
  const port = /--port[ =](\d+)/.exec(text) ?? /--listen[ =](?:127\.0\.0\.1|localhost|\[::1\]):(\d+)/.exec(text);
  return port ? Number(port[1]) : undefined;
}

const PLACEHOLDER = /…|\.\.\.|\[--|<[A-Za-z-]+>|\b(ID|FILE|URL|PORT|HOST|RUN|SCENARIOS|CASES|RECORDING)\b/;

function parseCommand(line: number, raw: string): ReadmeCommand {
  const hash = commentStart(raw);
  const comment = hash >= 0 ? raw.slice(hash + 1).trim() : undefined;
  let text = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
  const background = text.endsWith('&') && !text.endsWith('&&');
  if (background) text = text.slice(0, -1).trim();
  const exits = comment ? /^exits (\d+)\b/.exec(comment) : null;
  const words = unquoted(text).trim().split(/\s+/);
  while (words.length > 1 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) words.shift();
  const program = classify(words);
  const placeholder = PLACEHOLDER.exec(unquoted(text));
  const readyPort = background ? readyPortOf(text) : undefined;
  let problem: string | undefined;
  if (placeholder) problem = `it is a synopsis, not a command (placeholder "${placeholder[0]}"): make it concrete, or show it outside a sh block (the Reference table)`;
  else if (background && readyPort === undefined) problem = 'it runs in the background (&) but names no --port N or --listen 127.0.0.1:PORT, so the test cannot tell when it is ready';
  return { line, text, comment, expectedExit: exits ? Number(exits[1]) : 0, background, program, programWord: words[0] ?? '', readyPort, problem };
}

/** Every shell code block of a Markdown document, with its commands. */
export function extractReadmeCommands(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let block: ReadmeBlock | null = null;
  let pending: { line: number; text: string } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!block) {
      if (SHELL_FENCE.test(line.trim())) block = { line: i + 1, commands: [] };
      continue;
    }
    if (line.trim().startsWith('```')) {
      if (pending) block.commands.push(parseCommand(pending.line, pending.text));
      blocks.push(block);
      block = null;
      pending = null;
      continue;
    }
    const joined: string = pending ? `${pending.text} ${line.trim()}` : line;
    const start: number = pending ? pending.line : i + 1;
    if (/\\\s*$/.test(joined) && commentStart(joined) < 0) {
      pending = { line: start, text: joined.replace(/\\\s*$/, '') };
      continue;
    }
    pending = null;
    if (joined.trim() === '' || joined.trim().startsWith('#')) continue;
    block.commands.push(parseCommand(start, joined));
  }
  if (block) throw new Error(`README: the code block opened at line ${block.line} is never closed`);
  return blocks;
}
