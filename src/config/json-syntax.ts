import { parse as parseLossless } from 'lossless-json';

export interface JsonSyntaxProblem {
  /** What is wrong, in JSON's words (no position: that is in line/column). */
  message: string;
  /** 1-based line and column of the offending character. */
  line: number;
  column: number;
}

/**
 * Where and why a JSON text does not parse, or undefined when it does. `JSON.parse` gives an offset
 * for most errors and none for some (`{"a":tru}`), and accepts duplicate keys; lossless-json gives
 * a position for every error and rejects duplicates, so it is the one asked. Only called on text
 * that is meant to be JSON (a `.json` file, a recording line, a HAR export), so the wording is
 * JSON's, never the YAML parser's.
 */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  try {
    parseLossless(text);
    return undefined;
  } catch (err) {
    const raw = (err as Error).message;
    const at = / at position (\d+)$/.exec(raw);
    const offset = at ? Number(at[1]) : text.length;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return { message: at ? raw.slice(0, at.index) : raw, line, column };
  }
}

/** `not valid JSON: Quoted object key expected but got '}' (line 3, column 1)`. */
export function describeJsonSyntaxProblem(p: JsonSyntaxProblem): string {
  return `not valid JSON: ${p.message} (line ${p.line}, column ${p.column})`;
}
