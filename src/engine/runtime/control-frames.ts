/**
 * Control frames of the attach socket and of an exec helper's fd 3
 * (native/PROTOCOL.md, "Attach"): a type byte, a u32 LE payload length,
 * the payload.
 */
export const FrameType = { data: 0x64, close: 0x63, resize: 0x72, ack: 0x61 } as const;

const HEADER = 5;
const ACK_LENGTH = HEADER + 4;

/** One frame: header and payload. */
export function frame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(HEADER);
  header[0] = type;
  header.writeUInt32LE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** A resize frame; both sizes must be 1..65535. */
export function resizeFrame(cols: number, rows: number): Buffer {
  for (const [name, n] of [
    ['cols', cols],
    ['rows', rows],
  ] as const) {
    if (!Number.isInteger(n) || n < 1 || n > 0xffff) throw new RangeError(`terminal ${name} must be an integer from 1 to 65535, got ${n}`);
  }
  const size = Buffer.alloc(4);
  size.writeUInt16LE(cols, 0);
  size.writeUInt16LE(rows, 2);
  return frame(FrameType.resize, size);
}

/** Splits the monitor's replies into the errno of each acknowledgement (0: done). */
export class AckReader {
  #pending = Buffer.alloc(0);

  constructor(private readonly onAck: (errno: number) => void) {}

  push(chunk: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= ACK_LENGTH) {
      if (this.#pending[0] !== FrameType.ack || this.#pending.readUInt32LE(1) !== 4) {
        throw new Error(`unexpected reply frame type 0x${this.#pending[0]?.toString(16)} on an attach socket`);
      }
      this.onAck(this.#pending.readUInt32LE(HEADER));
      this.#pending = this.#pending.subarray(ACK_LENGTH);
    }
  }
}

/**
 * Frames are acknowledged in order: each sent frame waits here for its
 * errno, which `toError` turns into the error to reject with.
 */
export class AckQueue {
  readonly #waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #closed: Error | undefined;

  constructor(private readonly toError: (errno: number) => Error) {}

  /** The promise of the next frame's acknowledgement (register before sending it). */
  expect(): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Frames sent and not yet acknowledged. */
  get pending(): number {
    return this.#waiting.length;
  }

  settle(errno: number): void {
    const next = this.#waiting.shift();
    if (!next) return;
    if (errno === 0) next.resolve();
    else next.reject(this.toError(errno));
  }

  /** No more acknowledgements will come: everything waiting, and anything later, fails with `error`. */
  close(error: Error): void {
    this.#closed ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#closed);
  }
}
