import { ContainerStateError } from '../../errors.js';
import type { AttachOptions, AttachSession, ContainerInfo } from '../api/index.js';
import { endInput, feedHijacked, writeTo } from './hijacked-stdin.js';
import { outputFrames } from './logs.js';
import type { DockerTransport } from './transport.js';

/**
 * `docker attach` on a hijacked connection: output as line frames from the moment
 * of attaching, stdin written through. The container is created with
 * `StdinOnce`, so ending (or dropping) this client's stdin closes the
 * command's stdin, as Berth's attach promises for `end()`.
 */
export async function attachTo(api: DockerTransport, info: ContainerInfo, options: AttachOptions = {}): Promise<AttachSession> {
  const name = info.Name.replace(/^\//, '');
  if (!info.State.Running) throw new ContainerStateError(`container ${name} is not running`, 'start it before attaching');
  if (!info.Config.OpenStdin && !info.Config.Tty) {
    throw new ContainerStateError(
      `container ${name} has neither stdin open nor a TTY`,
      'create it with openStdin or tty (withOpenStdin()/withTty())',
    );
  }
  const tty = info.Config.Tty;
  const conn = await api.hijack({
    method: 'POST',
    path: `/containers/${encodeURIComponent(info.Id)}/attach`,
    query: { stream: true, stdin: info.Config.OpenStdin, stdout: true, stderr: true },
    subject: { kind: 'container', name: info.Id },
  });
  if (conn.head.length > 0) conn.socket.unshift(conn.head);
  conn.socket.resume();
  const output = outputFrames(conn.socket, tty, { stamped: false });
  const input = options.stdin === undefined ? Promise.resolve() : feedHijacked(conn.socket, options.stdin, tty);
  return {
    output,
    input,
    write: (data) => writeTo(conn.socket, Buffer.from(data)),
    end: () => endInput(conn.socket, tty),
    resize: async (cols, rows) => {
      if (!tty) throw new ContainerStateError(`container ${name} has no TTY to resize`, 'create it with tty');
      await api.send({
        method: 'POST',
        path: `/containers/${encodeURIComponent(info.Id)}/resize`,
        query: { w: cols, h: rows },
        subject: { kind: 'container', name: info.Id },
      });
    },
    close: () => {
      output.destroy();
      conn.socket.destroy();
    },
  };
}
