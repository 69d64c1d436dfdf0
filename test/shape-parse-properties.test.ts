import fc from 'fast-check';
import { isLosslessNumber, parse as losslessParse, type LosslessNumber } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseBody, type JsonValue } from '../src/shape/index.ts';

/**
 * The hand-written lossless parser against two references on generated documents: lossless-json
 * (same tree, same number lexemes) and the engine's JSON.parse (same values, same accept/reject).
 * Documents are generated as text so number spellings JSON.stringify never writes (`1.0`, `1E+5`,
 * `-0`, 20-digit integers) and odd whitespace are covered.
 */

const ws = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ');

const numberLexeme = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,21}$/)),
    fc.option(fc.stringMatching(/^[0-9]{1,8}$/), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,3}$/)), { nil: undefined }),
  )
  .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac !== undefined ? `.${frac}` : ''}${exp ? exp.join('') : ''}`);

const stringLiteral = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => JSON.stringify(s));

/** Keys are distinct within an object: lossless-json rejects duplicates that JSON.parse accepts. */
const documentText: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberLexeme,
    stringLiteral,
    fc.constantFrom('true', 'false', 'null'),
    tie('object'),
    tie('array'),
  ),
  object: fc
    .uniqueArray(fc.tuple(fc.string({ maxLength: 6 }), tie('value')), { maxLength: 5, selector: ([k]) => k })
    .chain((members) =>
      fc.tuple(fc.array(ws, { minLength: members.length * 3 + 1, maxLength: members.length * 3 + 1 })).map(([spaces]) => {
        if (members.length === 0) return `{${spaces[0]}}`;
        return `{${members.map(([k, v], i) => `${spaces[i * 3]}${JSON.stringify(k)}${spaces[i * 3 + 1]}:${spaces[i * 3 + 2]}${v}`).join(',')}${spaces[members.length * 3]}}`;
      }),
    ),
  array: fc.array(tie('value'), { maxLength: 5 }).map((xs) => `[${xs.join(', ')}]`),
})).value.chain((v) => fc.tuple(ws, ws).map(([a, b]) => `${a}${v}${b}`));

function parsedOrThrow(text: string): JsonValue {
  const r = parseBody(text);
  if (!r.ok) throw new Error(`parseBody rejected ${JSON.stringify(text)}: ${r.error}`);
  return r.value;
}

/** Same tree, numbers compared by lexeme; key order compared too (it is the service's order). */
function sameAsLossless(ours: JsonValue, theirs: unknown): boolean {
  if (isLosslessNumber(theirs)) return isLosslessNumber(ours) && (ours as LosslessNumber).value === (theirs as LosslessNumber).value;
  if (Array.isArray(theirs)) return Array.isArray(ours) && ours.length === theirs.length && theirs.every((t, i) => sameAsLossless(ours[i] as JsonValue, t));
  if (typeof theirs === 'object' && theirs !== null) {
    if (typeof ours !== 'object' || ours === null || Array.isArray(ours) || isLosslessNumber(ours)) return false;
    const ko = Object.keys(ours);
    const kt = Object.keys(theirs);
    return ko.join('\u0000') === kt.join('\u0000') && kt.every((k) => sameAsLossless((ours as Record<string, JsonValue>)[k] as JsonValue, (theirs as Record<string, unknown>)[k]));
  }
  return ours === theirs;
}

/** Our tree with every lexeme turned into a double: must equal JSON.parse's tree. */
function toPlain(value: JsonValue): unknown {
  if (isLosslessNumber(value)) return Number((value as LosslessNumber).value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) Object.defineProperty(out, k, { value: toPlain(value[k] as JsonValue), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

function offsetOf(error: string): number {
  const m = /\(offset (\d+)\)$/.exec(error);
  if (!m) throw new Error(`no offset in ${JSON.stringify(error)}`);
  return Number(m[1]);
}

function losslessErrorPosition(text: string): number | undefined | 'duplicate key' {
  try {
    losslessParse(text);
    return undefined;
  } catch (err) {
    // lossless-json refuses a key repeated with another value (and stops there); RFC 8259 only
    // says names SHOULD be unique and JSON.parse keeps the last one. Damage can make two keys
    // equal: then lossless-json says nothing about the rest, and the engine alone decides.
    if (/^Duplicate key /.test((err as Error).message)) return 'duplicate key';
    const m = /at position (\d+)/.exec((err as Error).message);
    if (!m) throw new Error(`lossless-json error without a position: ${(err as Error).message}`);
    return Number(m[1]);
  }
}

/** Valid text with one character deleted, replaced or inserted: mostly invalid, sometimes not. */
const damaged = fc
  .tuple(documentText, fc.nat(), fc.constantFrom('delete', 'replace', 'insert'), fc.constantFrom(...'{}[],:"\\0-.eE+ 1tfnx\u0001'.split('')))
  .map(([text, at, how, c]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
    if (how === 'replace') return text.slice(0, i) + c + text.slice(i + 1);
    return text.slice(0, i) + c + text.slice(i);
  });

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

describe('parseBody against lossless-json and JSON.parse', () => {
  it('parses every generated document to the tree lossless-json builds, with equal number lexemes', () => {
    fc.assert(
      fc.property(documentText, (text) => {
        expect(sameAsLossless(parsedOrThrow(text), losslessParse(text))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps each number lexeme exactly as written', () => {
    fc.assert(
      fc.property(numberLexeme, ws, (lexeme, space) => {
        const value = parsedOrThrow(`[${space}${lexeme}${space}]`);
        expect(Array.isArray(value) && isLosslessNumber(value[0]) && (value[0] as LosslessNumber).value).toBe(lexeme);
      }),
      { numRuns: RUNS },
    );
  });

  it('equals JSON.parse once lexemes are read as doubles', () => {
    fc.assert(
      fc.property(documentText, (text) => {
        expect(toPlain(parsedOrThrow(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts and rejects damaged documents exactly as JSON.parse and lossless-json do, at a sensible position', () => {
    let rejected = 0;
    fc.assert(
      fc.property(damaged, (text) => {
        let engineOk = true;
        try {
          JSON.parse(text);
        } catch {
          engineOk = false;
        }
        const ours = parseBody(text);
        expect(ours.ok).toBe(engineOk);
        const theirs = losslessErrorPosition(text);
        if (theirs === 'duplicate key') {
          if (ours.ok) expect(toPlain(ours.value)).toEqual(JSON.parse(text));
          return;
        }
        expect(ours.ok).toBe(theirs === undefined);
        if (ours.ok) {
          expect(toPlain(ours.value)).toEqual(JSON.parse(text));
          return;
        }
        rejected++;
        // Both point at (or right next to) the same character; neither past the end of the text.
        const at = offsetOf(ours.error);
        expect(at).toBeGreaterThanOrEqual(0);
        expect(at).toBeLessThanOrEqual(text.length);
        expect(Math.abs(at - (theirs as number))).toBeLessThanOrEqual(1);
      }),
      { numRuns: RUNS },
    );
    // The damage generator must really produce bad input, or the property above proves nothing.
    expect(rejected).toBeGreaterThan(RUNS / 4);
  });

  it('reports a backslash before a control character at the backslash, as lossless-json does', () => {
    // Found by the property above (fast-check seed -251017478): the escape scanner skipped `\` + CR
    // blindly and failed two characters later, on the LF, as a control character.
    for (const text of ['{"ab\\\r\n  :1}', '["a\\\r\nb"]', '["x\\\u0001"]']) {
      const ours = parseBody(text);
      expect(ours.ok).toBe(false);
      if (ours.ok) continue;
      expect(ours.error).toMatch(/invalid escape sequence/);
      expect(offsetOf(ours.error)).toBe(losslessErrorPosition(text));
    }
  });
});
