/**
 * The two reviewer adapters: a command (prompt on stdin, answer on stdout) and an OpenAI-compatible
 * chat-completions endpoint. Both are bounded in time (`timeoutMs`) and in output
 * (`maxOutputBytes`); an API key is read from the environment at call time and never leaves this
 * module except in the Authorization header — errors are scrubbed of it.
 */
import { spawn } from 'node:child_process';
import { request } from 'undici';
import type { ReviewerConfig } from '../config/review-schema.ts';
import { GauntletError } from '../util/errors.ts';
import { isLoopbackHost } from '../util/loopback.ts';

export interface Answer {
  readonly text: string;
  readonly outputBytes: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly model?: string;
}

export class ReviewerCallError extends Error {
  constructor(
    message: string,
    /** error.type of the span: timeout, output_too_large, exit_status, http_status, bad_response, spawn. */
    readonly type: string,
  ) {
    super(message);
  }
}

const tail = (s: string, n = 300) => (s.length > n ? `…${s.slice(-n)}` : s).trim();

export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** Run a command reviewer: write the prompt to its stdin, read its stdout. */
export function callCommand(r: ReviewerConfig & { command: string[] }, prompt: string, cwd: string, signal?: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = r.command;
    const child = spawn(file!, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    let failure: ReviewerCallError | undefined;
    const stop = (err: ReviewerCallError) => {
      failure ??= err;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(new ReviewerCallError(`no answer within ${r.timeoutMs} ms (stopped)`, 'timeout')), r.timeoutMs);
    const onAbort = () => stop(new ReviewerCallError('interrupted', 'interrupted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes > r.maxOutputBytes) return stop(new ReviewerCallError(`answer larger than ${r.maxOutputBytes} bytes (stopped)`, 'output_too_large'));
      chunks.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString();
    });
    // A reviewer that exits without reading all of its stdin is not an error of ours.
    child.stdin.on('error', () => {});
    child.on('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(new ReviewerCallError(`cannot start ${file}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, 'spawn'));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(failure);
      if (code !== 0) return reject(new ReviewerCallError(`exited with ${code ?? sig}${stderr ? `: ${tail(stderr)}` : ''}`, 'exit_status'));
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ text, outputBytes: bytes, ...(r.model ? { model: r.model } : {}) });
    });
    child.stdin.end(prompt);
  });
}

interface ChatResponse {
  model?: unknown;
  choices?: Array<{ message?: { content?: unknown } }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

const count = (x: unknown): number | undefined => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : undefined);

/** The API key an endpoint reviewer needs, or a config error naming the variable (exit 2). */
export function apiKeyOf(r: ReviewerConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = r.endpoint?.apiKeyEnv;
  if (!name) return undefined;
  const key = env[name];
  if (!key) throw new GauntletError('GAUNTLET_CONFIG_INVALID', `reviewer ${r.name} needs the API key in $${name}, which is not set`, { path: `review.reviewers.${r.name}.endpoint.apiKeyEnv` });
  const url = new URL(r.endpoint!.baseUrl);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new GauntletError('GAUNTLET_CONFIG_INVALID', `reviewer ${r.name} would send its API key over plain http to ${url.host}`, { path: `review.reviewers.${r.name}.endpoint.baseUrl`, hint: 'use https, or a loopback address' });
  }
  return key;
}

/** POST {baseUrl}/chat/completions with the prompt as the one user message. */
export async function callEndpoint(r: ReviewerConfig & { endpoint: NonNullable<ReviewerConfig['endpoint']> }, prompt: string, apiKey: string | undefined, signal?: AbortSignal): Promise<Answer> {
  const url = `${r.endpoint.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const body = JSON.stringify({
    model: r.model,
    messages: [{ role: 'user', content: prompt }],
    stream: false,
    ...(r.endpoint.maxTokens ? { max_tokens: r.endpoint.maxTokens } : {}),
    ...(r.endpoint.temperature !== undefined ? { temperature: r.endpoint.temperature } : {}),
  });
  const timeout = AbortSignal.timeout(r.timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const scrub = (s: string) => redact(s, [apiKey]);
  let res;
  try {
    res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body,
      signal: both,
      headersTimeout: r.timeoutMs,
      bodyTimeout: r.timeoutMs,
    });
  } catch (err) {
    if (timeout.aborted) throw new ReviewerCallError(`no answer within ${r.timeoutMs} ms`, 'timeout');
    throw new ReviewerCallError(scrub(`request to ${url} failed: ${(err as Error).message}`), (err as { code?: string }).code ?? 'request');
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > r.maxOutputBytes) {
        res.body.destroy();
        throw new ReviewerCallError(`response larger than ${r.maxOutputBytes} bytes (stopped)`, 'output_too_large');
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof ReviewerCallError) throw err;
    if (timeout.aborted) throw new ReviewerCallError(`no answer within ${r.timeoutMs} ms`, 'timeout');
    throw new ReviewerCallError(scrub(`reading the response of ${url} failed: ${(err as Error).message}`), 'request');
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (res.statusCode !== 200) throw new ReviewerCallError(scrub(`${url} answered HTTP ${res.statusCode}: ${tail(raw, 200)}`), 'http_status');
  let parsed: ChatResponse;
  try {
    parsed = JSON.parse(raw) as ChatResponse;
  } catch {
    throw new ReviewerCallError(`${url} did not answer JSON: ${scrub(tail(raw, 120))}`, 'bad_response');
  }
  const content = parsed.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new ReviewerCallError(`${url}: no choices[0].message.content in the answer`, 'bad_response');
  const inputTokens = count(parsed.usage?.prompt_tokens);
  const outputTokens = count(parsed.usage?.completion_tokens);
  return {
    text: content,
    outputBytes: Buffer.byteLength(content),
    ...(inputTokens !== undefined ? { inputTokens } : {}),
    ...(outputTokens !== undefined ? { outputTokens } : {}),
    ...(typeof parsed.model === 'string' ? { model: parsed.model } : {}),
  };
}
