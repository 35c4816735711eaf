import { connect } from 'node:net';
import type { ContainerInfo } from '../../engine/api/index.js';
import { BerthError } from '../../errors.js';
import { sdkHost } from '../host.js';
import { AbstractWaitStrategy } from './abstract-wait-strategy.js';
import { pollUntil, runningInfo } from './poll.js';
import type { WaitContext } from './wait-strategy.js';

const CONNECT_TIMEOUT_MS = 1000;

interface Published {
  key: string;
  port: number;
  protocol: 'tcp' | 'udp';
  hostPort: number;
}

/**
 * Ready when every published port listens inside the container and, for
 * TCP, the host port accepts a connection. The host side alone proves
 * nothing: the port proxy accepts whether or not the service listens.
 */
export class ListeningPortsWaitStrategy extends AbstractWaitStrategy {
  #pending: string[] = [];

  get description(): string {
    return `listening ports${this.#pending.length > 0 ? ` (not yet: ${this.#pending.join(', ')})` : ''}`;
  }

  /** testcontainers' wording, naming the first port still not bound. */
  override timeoutMessage(timeoutMs: number): string {
    return `Port ${this.#pending[0]?.split('/')[0] ?? ''} not bound after ${timeoutMs}ms`;
  }

  async waitUntilReady(context: WaitContext): Promise<void> {
    const info = await runningInfo(context);
    // In the words of the polls that follow: it may have exited before the first look (as on a daemon, where start returns sooner).
    if (!info) throw new BerthError('WAIT_FAILED', 'the container stopped before it was ready');
    const ports = published(info);
    this.#pending = ports.map((p) => p.key);
    await pollUntil(context, async () => {
      const ready = await Promise.all(ports.map((p) => portReady(context, p)));
      this.#pending = ports.filter((_, i) => !ready[i]).map((p) => p.key);
      return this.#pending.length === 0;
    });
  }
}

function published(info: ContainerInfo): Published[] {
  return Object.entries(info.NetworkSettings.Ports).flatMap(([key, bindings]) => {
    const [port, protocol] = key.split('/');
    const hostPort = Number(bindings?.[0]?.HostPort);
    return hostPort ? [{ key, port: Number(port), protocol: protocol === 'udp' ? 'udp' : 'tcp', hostPort }] : [];
  });
}

/** The engine says whether the container listens (each backend looks its own way); then the host connects. */
async function portReady({ engine, containerId }: WaitContext, p: Published): Promise<boolean> {
  if (!(await engine.portListening(containerId, p.port, p.protocol))) return false;
  return p.protocol === 'udp' || hostAccepts(sdkHost(engine), p.hostPort);
}

/** One TCP connection to host:port, closed at once. */
function hostAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: CONNECT_TIMEOUT_MS });
    const done = (ok: boolean) => () => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', done(true));
    socket.once('error', done(false));
    socket.once('timeout', done(false));
  });
}
