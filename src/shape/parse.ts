import { LosslessNumber } from 'lossless-json';
import type { JsonObject, JsonValue } from './types.ts';

export type ParseResult = { ok: true; value: JsonValue } | { ok: false; error: string };

/**
 * Deeper nesting is rejected rather than risking the call stack; neither encoding/json nor
 * serde_json produce such bodies from ordinary structs.
 */
const MAX_DEPTH = 512;

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Strict RFC 8259 parse that keeps every number's source lexeme.
 *
 * Hand-written instead of lossless-json's `parse` because the probe parses every response body
 * and the analyser re-parses both sides of every pair: this is ~2× faster on typical bodies.
 * Duplicate keys keep the last value, as `JSON.parse`, Go's encoding/json and serde_json's
 * `Value` all do, so a duplicate never turns a comparable body into an unparseable one.
 */
export function parseBody(text: string): ParseResult {
  const parser = new Parser(text);
  try {
    return { ok: true, value: parser.parseDocument() };
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { ok: false, error: describeAt(text, err.message, err.offset) };
    throw err;
  }
}

function describeAt(text: string, message: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `invalid JSON: ${message} at line ${line}, column ${offset - lineStart + 1} (offset ${offset})`;
}

const QUOTE = 34;
const BACKSLASH = 92;

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.fail(this.text.length === 0 ? 'empty body' : 'no value');
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('unexpected content after the value');
    return value;
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos);
  }

  private unexpected(expected: string): never {
    const c = this.text[this.pos];
    this.fail(c === undefined ? `unexpected end of input, expected ${expected}` : `unexpected ${JSON.stringify(c)}, expected ${expected}`);
  }

  private skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) pos++;
      else break;
    }
    this.pos = pos;
  }

  private parseValue(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 123: // {
        return this.parseObject(depth + 1);
      case 91: // [
        return this.parseArray(depth + 1);
      case QUOTE:
        return this.parseString();
      case 116: // t
        return this.parseLiteral('true', true);
      case 102: // f
        return this.parseLiteral('false', false);
      case 110: // n
        return this.parseLiteral('null', null);
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.parseNumber();
        return this.unexpected('a value');
    }
  }

  private parseObject(depth: number): JsonObject {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const text = this.text;
    const obj: JsonObject = {};
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === 125) {
      this.pos++;
      return obj;
    }
    for (;;) {
      if (text.charCodeAt(this.pos) !== QUOTE) this.unexpected('a string key');
      const key = this.parseString();
      this.skipWhitespace();
      if (text.charCodeAt(this.pos) !== 58) this.unexpected("':'");
      this.pos++;
      this.skipWhitespace();
      const value = this.parseValue(depth);
      // A plain assignment of "__proto__" would replace the prototype instead of storing a key.
      if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
      else obj[key] = value;
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 125) {
        this.pos++;
        return obj;
      } else {
        this.unexpected("',' or '}'");
      }
    }
  }

  private parseArray(depth: number): JsonValue[] {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const text = this.text;
    const arr: JsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === 93) {
      this.pos++;
      return arr;
    }
    for (;;) {
      arr.push(this.parseValue(depth));
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 93) {
        this.pos++;
        return arr;
      } else {
        this.unexpected("',' or ']'");
      }
    }
  }

  private parseString(): string {
    const text = this.text;
    const start = ++this.pos;
    let pos = start;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === QUOTE) {
        this.pos = pos + 1;
        return text.slice(start, pos);
      }
      if (c === BACKSLASH) return this.parseEscapedString(start, pos);
      // `!(c >= 32)` also catches NaN, i.e. the end of input.
      if (!(c >= 32)) {
        this.pos = pos;
        this.fail(pos >= text.length ? 'unterminated string' : 'control character in string');
      }
      pos++;
    }
  }

  /** Rare path: find the closing quote, then let the engine decode and validate the escapes. */
  private parseEscapedString(start: number, from: number): string {
    const text = this.text;
    let pos = from;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        // An escape the engine would refuse is reported here, at the backslash — not later, at
        // whatever control character the blind skip would have landed next to.
        if (!ESCAPABLE.has(text.charCodeAt(pos + 1))) {
          this.pos = pos;
          return this.fail('invalid escape sequence in string');
        }
        pos += 2;
      } else if (!(c >= 32)) {
        this.pos = pos;
        this.fail(pos >= text.length ? 'unterminated string' : 'control character in string');
      } else pos++;
    }
    try {
      const decoded = JSON.parse(text.slice(start - 1, pos + 1)) as string;
      this.pos = pos + 1;
      return decoded;
    } catch {
      this.pos = from;
      return this.fail('invalid escape sequence in string');
    }
  }

  private parseNumber(): LosslessNumber {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos) === 45) pos++;
    let c = text.charCodeAt(pos);
    if (c === 48) pos++;
    else if (c >= 49 && c <= 57) pos = skipDigits(text, pos + 1);
    else return this.failAt(pos, 'invalid number');
    if (text.charCodeAt(pos) === 46) {
      const after = skipDigits(text, pos + 1);
      if (after === pos + 1) return this.failAt(after, 'expected a digit after the decimal point');
      pos = after;
    }
    c = text.charCodeAt(pos);
    if (c === 101 || c === 69) {
      pos++;
      c = text.charCodeAt(pos);
      if (c === 43 || c === 45) pos++;
      const after = skipDigits(text, pos);
      if (after === pos) return this.failAt(after, 'expected a digit in the exponent');
      pos = after;
    }
    this.pos = pos;
    return new LosslessNumber(text.slice(start, pos));
  }

  private failAt(pos: number, message: string): never {
    this.pos = pos;
    return this.fail(message);
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.unexpected('a value');
    this.pos += word.length;
    return value;
  }
}

/** The characters JSON allows after a backslash: " \\ / b f n r t u. */
const ESCAPABLE = new Set([...'"\\/bfnrtu'].map((c) => c.charCodeAt(0)));

function skipDigits(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c >= 48 && c <= 57) pos++;
    else return pos;
  }
}
