import { diffJson, parseBody, type JsonValue } from '../src/shape/index.ts';
import { searchPair, validationPair } from './shape-fixtures.ts';
const p = (t: string) => { const r = parseBody(t); if (!r.ok) throw new Error(r.error); return r.value as JsonValue; };
const q = searchPair(1); const a = p(q.rust), b = p(q.go);
const sm = Array.from({ length: 16 }, (_, i) => validationPair(i + 1)).map(x => [p(x.rust), p(x.go)] as const);
for (let k = 0; k < 3; k++) {
let s = 0; let t0 = performance.now();
for (let i = 0; i < 1000; i++) s += diffJson(a, b).length;
const big = 1000 / (performance.now() - t0) * 1000;
t0 = performance.now();
for (let i = 0; i < 50000; i++) { const x = sm[i & 15]!; s += diffJson(x[0], x[1]).length; }
console.log('diff only big', Math.round(big), 'small', Math.round(50000 / (performance.now() - t0) * 1000));
}
