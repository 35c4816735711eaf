/**
 * A scriptable HTTP proxy in front of a real registry, for tests of how the
 * registry client copes with failures: per request path it can answer an error
 * status itself, cut a body short and reset the connection, flip a byte,
 * trickle the body slowly, drip it a byte at a time, or take the request and
 * never answer. Every request it sees is recorded.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** What to do to a matching request. */
export type Fault =
  /** Answer this status (and headers) without asking the registry. */
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Pass the headers and the first `afterBytes` body bytes, then reset the connection. */
  | { kind: 'truncate'; afterBytes: number }
  /** Pass the response with the body byte at `atByte` inverted. */
  | { kind: 'corrupt'; atByte: number }
  /** Pass the body slowly: a pause of `intervalMs` after every `chunkBytes`. */
  | { kind: 'trickle'; chunkBytes: number; intervalMs: number }
  /** Pass the headers, then the body one byte every `intervalMs` (a stalled server that still looks alive). */
  | { kind: 'drip'; intervalMs: number }
  /** Take the request and never answer, nor read its body (a server that accepted and hung). */
  | { kind: 'hang' }
  /** Ask the registry without the `Range` header, as a server without range support would answer. */
  | { kind: 'no-range' }
  /** Answer 307 to this URL (e.g. another server, as registries send blobs to object storage). */
  | { kind: 'redirect'; to: string };

/** A fault and the requests it applies to. */
export interface FaultRule {
  /** Requests whose path contains this string (or matches this pattern). */
  path: string | RegExp;
  /** Only this method (default: any). */
  method?: string;
  /** Apply to this many matching requests, then pass them through (default: all of them). */
  times?: number;
  fault: Fault;
}

/** One request the proxy saw. */
export interface ProxiedRequest {
  method: string;
  path: string;
  /** Its `Range` header, if any. */
  range: string | undefined;
  /** Its `Authorization` scheme, if any (`Basic`, `Bearer`). */
  auth: string | undefined;
  /** The fault applied to it, if any. */
  fault: Fault['kind'] | undefined;
  /** `performance.now()` when it arrived. */
  at: number;
}

/** A running proxy started by {@link startFaultProxy}. */
export interface FaultProxy {
  /** `127.0.0.1:<port>`: use it as the registry part of image references. */
  host: string;
  /** Requests seen so far, in arrival order. */
  readonly requests: ProxiedRequest[];
  /** Adds a rule; rules are tried in the order they were added. */
  add(rule: FaultRule): void;
  /** Drops every rule and forgets the recorded requests. */
  reset(): void;
  stop(): Promise<void>;
}

interface ActiveRule extends FaultRule {
  used: number;
}

/** Starts a proxy on a free 127.0.0.1 port that forwards to `target` (`host:port`). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const [targetHost, targetPort] = splitHost(target);
  let rules: ActiveRule[] = [];
  const requests: ProxiedRequest[] = [];

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const rule = rules.find((r) => matches(r, req.method ?? 'GET', path) && (r.times === undefined || r.used < r.times));
    if (rule) rule.used++;
    requests.push({
      method: req.method ?? 'GET',
      path,
      range: header(req, 'range'),
      auth: header(req, 'authorization')?.split(' ')[0],
      fault: rule?.fault.kind,
      at: performance.now(),
    });
    if (rule?.fault.kind === 'hang') return; // stop() closes the connection.
    if (rule?.fault.kind === 'redirect') {
      req.resume();
      res.writeHead(307, { location: rule.fault.to });
      res.end();
      return;
    }
    const headers = { ...req.headers };
    if (rule?.fault.kind === 'no-range') delete headers.range;
    if (rule?.fault.kind === 'status') {
      const { status, headers } = rule.fault;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ errors: [{ code: 'FAULT', message: `fault proxy answered ${status}` }] }));
      return;
    }
    const upstream = request({ host: targetHost, port: targetPort, method: req.method, path, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      void relay(answer, res, rule?.fault);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    host: `127.0.0.1:${port}`,
    requests,
    add: (rule) => {
      rules.push({ ...rule, used: 0 });
    },
    reset: () => {
      rules = [];
      requests.length = 0;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A proxy in front of the registry `target()` names, for the calling
 * `describe`: started before its tests, reset after each, stopped after all.
 * Returns a getter (the proxy exists only once the tests run).
 */
export function useFaultProxy(target: () => string): () => FaultProxy {
  let proxy: FaultProxy | undefined;
  beforeAll(async () => {
    proxy = await startFaultProxy(target());
  });
  afterEach(() => proxy?.reset());
  afterAll(async () => {
    await proxy?.stop();
  });
  return () => {
    if (!proxy) throw new Error('the fault proxy is not started yet (use it inside a test)');
    return proxy;
  };
}

/** Copies the registry's body to the client, applying a body fault on the way. */
async function relay(answer: IncomingMessage, res: ServerResponse, fault: Fault | undefined): Promise<void> {
  let sent = 0;
  try {
    for await (const piece of answer) {
      const chunk = piece as Buffer;
      if (fault?.kind === 'truncate' && sent + chunk.length >= fault.afterBytes) {
        // Let the bytes reach the client before the connection goes.
        await new Promise<void>((resolve) => res.write(chunk.subarray(0, fault.afterBytes - sent), () => resolve()));
        res.socket?.resetAndDestroy();
        answer.destroy();
        return;
      }
      if (fault?.kind === 'corrupt' && fault.atByte >= sent && fault.atByte < sent + chunk.length) {
        const copy = Buffer.from(chunk);
        copy[fault.atByte - sent] = (copy[fault.atByte - sent] ?? 0) ^ 0xff;
        res.write(copy);
      } else if (fault?.kind === 'drip') {
        for (const byte of chunk) {
          if (res.destroyed) {
            answer.destroy();
            return;
          }
          res.write(Buffer.of(byte));
          await sleep(fault.intervalMs);
        }
      } else if (fault?.kind === 'trickle') {
        // A pause each time another chunkBytes have gone, however the registry's chunks fall.
        res.write(chunk);
        const pauses = Math.floor((sent + chunk.length) / fault.chunkBytes) - Math.floor(sent / fault.chunkBytes);
        if (pauses > 0) await sleep(pauses * fault.intervalMs);
      } else if (!res.write(chunk)) {
        await new Promise((resolve) => res.once('drain', resolve));
      }
      sent += chunk.length;
    }
    res.end();
  } catch {
    res.destroy();
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method !== method) return false;
  return typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function splitHost(hostPort: string): [string, number] {
  const colon = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, colon), Number(hostPort.slice(colon + 1))];
}
