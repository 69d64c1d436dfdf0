import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createDownstreamClient } from '../src/daemons/common/downstream.ts';

/**
 * The keep-alive race a twin's downstream client meets on a busy host: the server closes an idle
 * socket just as the client reuses it. Go's net/http Transport retries an idempotent request on a
 * fresh connection inside one RoundTrip (one otelhttp CLIENT span); a twin that did not would show
 * a transport error the real runtime never shows (a false trace/hidden-error under load).
 *
 * The server here is a raw TCP server so the race is deterministic: it answers the first request of
 * every connection and resets the connection on the second.
 */
let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

async function resetOnReuse(): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = createServer((socket: Socket) => {
    connections++;
    let requests = 0;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
        requests++;
        if (requests === 1) socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n{"ok":true}');
        else socket.resetAndDestroy();
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, connections: () => connections };
}

function tracer() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer('test'), exporter };
}

describe('reference twin downstream client on a reused keep-alive socket', () => {
  it('retries an idempotent GET once on a fresh connection, inside one CLIENT span', async () => {
    const target = await resetOnReuse();
    const { tracer: t, exporter } = tracer();
    const client = createDownstreamClient(t, target.url);
    const call = { method: 'GET', path: '/v1/schemas/order', template: '/v1/schemas/{id}', headers: {}, propagate: false };
    expect((await client.call(call)).status).toBe(200);
    // The second call goes out on the kept-alive socket, which the server resets.
    expect(await client.call(call)).toEqual({ status: 200, body: '{"ok":true}' });
    client.close();
    expect(target.connections()).toBe(2);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.status.code])).toEqual([
      ['GET /v1/schemas/{id}', 0],
      ['GET /v1/schemas/{id}', 0],
    ]);
  });

  it('never replays a POST: the reset surfaces as the CLIENT span’s error', async () => {
    const target = await resetOnReuse();
    const { tracer: t, exporter } = tracer();
    const client = createDownstreamClient(t, target.url);
    const call = { method: 'POST', path: '/v1/things', template: '/v1/things', headers: {}, propagate: false };
    expect((await client.call(call)).status).toBe(200);
    await expect(client.call(call)).rejects.toMatchObject({ code: 'ECONNRESET' });
    client.close();
    expect(target.connections()).toBe(1);
    const failed = exporter.getFinishedSpans()[1]!;
    expect(failed.status.code).toBe(2);
    expect(failed.attributes['error.type']).toBe('ECONNRESET');
  });
});
