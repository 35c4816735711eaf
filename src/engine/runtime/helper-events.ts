/** An event from the helper's status pipe (see native/PROTOCOL.md). */
export type HelperEvent =
  | { kind: 'pid'; pid: number }
  | { kind: 'started' }
  | { kind: 'error'; step: string; errno: number; message: string }
  | { kind: 'exit'; exitCode: number; signal: number }
  /** An exec's control frame (a resize) took effect (errno 0) or not. */
  | { kind: 'ack'; errno: number };

/** Parses one status line; unknown lines are returned as undefined. */
export function parseEvent(line: string): HelperEvent | undefined {
  const [kind, ...fields] = line.split('\t');
  switch (kind) {
    case 'pid':
      return { kind, pid: Number(fields[0]) };
    case 'started':
      return { kind };
    case 'error':
      return { kind, step: fields[0] ?? 'unknown', errno: Number(fields[1] ?? 0), message: fields.slice(2).join('\t') };
    case 'exit':
      return { kind, exitCode: Number(fields[0]), signal: Number(fields[1] ?? 0) };
    case 'ack':
      return { kind, errno: Number(fields[0] ?? 0) };
    default:
      return undefined;
  }
}

/** Splits a byte stream into lines and hands each parsed event on. */
export class EventLineSplitter {
  #partial = '';

  constructor(private readonly onEvent: (event: HelperEvent) => void) {}

  push(chunk: Buffer | string): void {
    const lines = (this.#partial + chunk.toString()).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      const event = parseEvent(line);
      if (event) this.onEvent(event);
    }
  }
}
