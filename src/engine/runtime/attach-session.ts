import type { AttachOptions, AttachSession, LogFrame } from '../api/index.js';
import { AttachClient } from './attach-client.js';
import { stdinChunks } from './stdin-source.js';

const FRAMES_IN_FLIGHT = 8;

/**
 * A session over the container's attach socket: `output` is the live log
 * the caller opened (`end` stops it), stdin and resizes go through the socket.
 */
export async function openAttachSession(
  socketPath: string,
  name: string,
  output: { frames: AsyncIterable<LogFrame>; end: () => void },
  options: AttachOptions,
): Promise<AttachSession> {
  const client = await AttachClient.connect(socketPath, name);
  const input = options.stdin === undefined ? Promise.resolve() : pump(client, options.stdin);
  // Awaiting it is optional; a failure must not become an unhandled rejection.
  input.catch(() => undefined);
  return {
    output: output.frames,
    input,
    write: (data) => client.write(Buffer.from(data)),
    end: () => client.end(),
    resize: (cols, rows) => client.resize(cols, rows),
    close: () => {
      client.close();
      output.end();
    },
  };
}

/**
 * A few frames in flight: the monitor reads the next one while the
 * container drains the last, and the container's pace is still the pace.
 */
async function pump(client: AttachClient, source: NonNullable<AttachOptions['stdin']>): Promise<void> {
  const inFlight: Promise<void>[] = [];
  for await (const chunk of stdinChunks(source)) {
    const written = client.write(chunk);
    written.catch(() => undefined); // Awaited below, maybe after a sibling failed.
    inFlight.push(written);
    if (inFlight.length >= FRAMES_IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await client.end();
}
