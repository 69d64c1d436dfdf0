import { diffJson, parseBody, type JsonValue } from '../src/shape/index.ts';
import { validationPair } from './shape-fixtures.ts';
const p = (t: string) => { const r = parseBody(t); if (!r.ok) throw new Error(r.error); return r.value as JsonValue; };
const pairs = Array.from({ length: 16 }, (_, i) => validationPair(i + 1));
let s = 0; for (let i = 0; i < 150000; i++) { const q = pairs[i % 16]!; s += diffJson(p(q.rust), p(q.go)).length; }
console.log(s);
