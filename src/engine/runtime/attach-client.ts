import * as fs from 'node:fs';
import { connect, type Socket } from 'node:net';
import { basename, dirname } from 'node:path';
import { ContainerStateError } from '../../errors.js';
import { AckQueue, AckReader, FrameType, frame, resizeFrame } from './control-frames.js';

const EBADF = 9;
const ENOTTY = 25;
const EPIPE = 32;

/**
 * One connection to a container monitor's attach socket
 * (native/PROTOCOL.md, "Attach"). Frames go one way, acknowledgements the
 * other, in order; each method resolves once its frame took effect.
 */
export class AttachClient {
  readonly #acks: AckQueue;

  private constructor(
    private readonly socket: Socket,
    name: string,
  ) {
    this.#acks = new AckQueue((errno) => attachError(name, errno));
    const reader = new AckReader((errno) => {
      this.#acks.settle(errno);
      if (this.#acks.pending === 0) socket.unref();
    });
    // Only a frame waiting for its acknowledgement keeps Node alive, not a forgotten session.
    socket.unref();
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        socket.destroy(error as Error);
      }
    });
    socket.on('error', () => undefined); // 'close' follows and tells the waiters.
    socket.on('close', () =>
      this.#acks.close(new ContainerStateError(`container ${name} is no longer running (its attach connection closed)`)),
    );
  }

  /**
   * Connects to the socket at `path`. A container's directory may be longer
   * than a socket address holds (108 bytes), so the connection goes through
   * /proc/self/fd/<fd of the directory>.
   */
  static async connect(path: string, name: string): Promise<AttachClient> {
    const dir = fs.openSync(dirname(path), 'r');
    try {
      const socket = connect({ path: `/proc/self/fd/${dir}/${basename(path)}` });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', (error: NodeJS.ErrnoException) =>
          reject(
            error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
              ? new ContainerStateError(`container ${name} is not running`, 'start it first')
              : error,
          ),
        );
      });
      return new AttachClient(socket, name);
    } finally {
      fs.closeSync(dir);
    }
  }

  /** Writes bytes to the container's stdin. */
  write(data: Buffer): Promise<void> {
    return this.#send(frame(FrameType.data, data));
  }

  /** Closes the container's stdin. */
  end(): Promise<void> {
    return this.#send(frame(FrameType.close));
  }

  resize(cols: number, rows: number): Promise<void> {
    return this.#send(resizeFrame(cols, rows));
  }

  /** Closes the connection; the container is not affected. */
  close(): void {
    this.socket.destroy();
  }

  #send(bytes: Buffer): Promise<void> {
    const acked = this.#acks.expect();
    if (!this.socket.destroyed) {
      this.socket.ref();
      this.socket.write(bytes);
    }
    return acked;
  }
}

function attachError(name: string, errno: number): Error {
  if (errno === EPIPE)
    return new ContainerStateError(
      `stdin of container ${name} is closed`,
      'stdin closes for good once ended (by you or by the command); restart the container for a new one',
    );
  if (errno === EBADF)
    return new ContainerStateError(
      `container ${name} was not created with openStdin`,
      'create it with openStdin: true (GenericContainer.withOpenStdin())',
    );
  if (errno === ENOTTY)
    return new ContainerStateError(
      `container ${name} has no terminal`,
      'create it with tty: true (GenericContainer.withTty()) to resize it',
    );
  return new ContainerStateError(`attaching to container ${name} failed with errno ${errno}`);
}
