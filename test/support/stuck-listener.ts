/**
 * A 127.0.0.1 port whose connects never complete, for tests of connect
 * timeouts without leaving loopback: a listener with a backlog of 1 in a child
 * process whose event loop is blocked (so it never accepts), with its accept
 * queue filled by connections of our own. The kernel drops SYNs to a full
 * accept queue, so a new connect hangs until the client gives up, as behind a
 * firewall that drops packets.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/** A running {@link startStuckListener}. */
export interface StuckListener {
  /** `127.0.0.1:<port>`. */
  host: string;
  stop(): Promise<void>;
}

/** The child listens, prints its port, then blocks (10 min at most, so it ends by itself). */
const LISTENER = `
const server = require('node:net').createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  console.log(server.address().port);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
});`;
/** Fillers tried before giving up on filling the queue. */
const MAX_FILLERS = 8;
/** How long a filler may take to connect before the queue counts as full. */
const FULL_AFTER_MS = 300;

/** Starts the listener and fills its accept queue. */
export async function startStuckListener(): Promise<StuckListener> {
  const child = spawn(process.execPath, ['-e', LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  const fillers: Socket[] = [];
  const stop = async (): Promise<void> => {
    for (const socket of fillers) socket.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  };
  for (let i = 0; i < MAX_FILLERS; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
    const connected = await Promise.race([
      once(socket, 'connect').then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), FULL_AFTER_MS)),
    ]);
    if (!connected) return { host: `127.0.0.1:${port}`, stop };
  }
  await stop();
  throw new Error(`the listener on port ${port} kept accepting connections: its accept queue never filled`);
}
