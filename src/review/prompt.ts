/** Pure: the prompt every reviewer gets for a bundle. Its answer format is what findings.ts reads. */
import type { Bundle } from './bundle.ts';

export const PROMPT_VERSION = 1;

export function reviewPrompt(bundle: Bundle, range: string): string {
  return [
    `You are reviewing one component ("${bundle.name}", bundle ${bundle.id}) of the git range ${range}.`,
    'Report only real problems: bugs, data loss, security, concurrency, resource leaks, wrong error handling, missing tests for risky changes.',
    '',
    'Answer format — one block per finding, nothing else is read:',
    '',
    'BLOCK: <one line: what is wrong>     (must be fixed before release)',
    'WARN: <one line>                     (should be fixed)',
    'NOTE: <one line>                     (worth a look)',
    'WHERE: <path>:<line>',
    '',
    'Rules:',
    '- Every finding has at least one WHERE line, right after its BLOCK/WARN/NOTE line.',
    '- Write file paths EXACTLY as they appear in the diff (after "b/"), with no "a/" or "b/" prefix, no "./", no absolute path.',
    '- <line> is a line number in the new version of the file.',
    '- Only these files are in this bundle; a path not listed here is discarded:',
    ...bundle.files.map((f) => `    ${f}`),
    '- If you change your mind about a BLOCK, write "RETRACT: <path>:<line>" for it.',
    '',
    `The diff (${bundle.bytes} bytes):`,
    '',
    bundle.diff,
  ].join('\n');
}
