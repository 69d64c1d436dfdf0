#!/usr/bin/env node
// NOT A MODEL. A deterministic stand-in reviewer for trying `gauntlet review` without one: it reads
// the prompt on stdin and names the first added line of every file in the bundle as a NOTE (or as
// a BLOCK with --block), in the answer format the prompt asks for. Real reviewers are your own
// command (a local model runner) or an OpenAI-compatible endpoint; see docs/review.md.
const severity = process.argv.includes('--block') ? 'BLOCK' : 'NOTE';
let prompt = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) prompt += chunk;
const out = [];
let path;
let newLine = 0;
let named = false;
for (const line of prompt.split('\n')) {
  if (line.startsWith('diff --git ')) {
    path = undefined;
    named = false;
  } else if (line.startsWith('+++ ')) {
    path = line === '+++ /dev/null' ? undefined : line.slice(4).replace(/^b\//, '');
  } else if (line.startsWith('@@')) {
    newLine = Number(/\+(\d+)/.exec(line)?.[1] ?? 0);
  } else if (path && !named && newLine > 0) {
    if (line.startsWith('+')) {
      out.push(`${severity}: first added line of ${path} (stub reviewer — not a review)`, `WHERE: ${path}:${newLine}`, '');
      named = true;
    } else if (!line.startsWith('-')) newLine++;
  }
}
process.stdout.write(out.length ? out.join('\n') : 'No findings.\n');
