import { diffJson, parseBody, type JsonValue } from '../src/shape/index.ts';
const p = (t: string) => { const r = parseBody(t); if (!r.ok) throw new Error(r.error); return r.value as JsonValue; };
console.log(JSON.stringify(diffJson(p('{"Schema":{"":{"":{}," ":[]}," ":[]}}'), p('{"Kind":"schema","":null," ":[]}')), null, 1));
console.log(JSON.stringify(diffJson(p('{"Schema":{" ":[],"":{" ":[],"":{}}}}'), p('{" ":[],"":null,"Kind":"schema"}')), null, 1));
