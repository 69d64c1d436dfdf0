import { parse } from 'lossless-json';
import { parseBody } from '../src/shape/parse.ts';
const obj = {valid:false, request_id:"01HZX3V7J5Q9W2N4K8M6P0R2T4", created_at:"2025-11-27T14:54:00.123Z", duration_ms: 12.5, dataset:{name:"orders",version:42,rows:1795790620,schema:[{name:"id",type:"int64",nullable:false},{name:"amount",type:"decimal(18,2)",nullable:true},{name:"ts",type:"timestamp",nullable:false}]},errors:[{Schema:{field:"amount",reason:"scale \"exceeds\" 2"}},{Schema:{field:"ts",reason:"not monotonic"}},{Range:{field:"qty",min:0.0,max:100}}],tags:["a","b","c"],stats:{p50:1.25,p99:9.75,count:100}};
const text = JSON.stringify(obj);
console.log(JSON.stringify(parseBody(text)) === JSON.stringify({ok:true,value:parse(text)}));
for (const [name, fn] of [['lossless', (t:string)=>parse(t)], ['mine', (t:string)=>parseBody(t)], ['JSON.parse', (t:string)=>JSON.parse(t)]] as const) {
  for (let i=0;i<20000;i++) fn(text);
  const t0=performance.now(); const N=100000; for (let i=0;i<N;i++) fn(text); const dt=performance.now()-t0;
  console.log(name, (N/dt*1000).toFixed(0), 'ops/s', (text.length*N/dt/1000).toFixed(1),'MB/s');
}
