import type { Readable } from 'node:stream';

/** Parses a stream of JSON documents, one per line (pull, push, load and build progress). */
export async function* jsonLines<T>(stream: Readable): AsyncGenerator<T> {
  let partial = '';
  for await (const chunk of stream) {
    const lines = (partial + Buffer.from(chunk as Buffer).toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) yield JSON.parse(line) as T;
  }
  if (partial.trim()) yield JSON.parse(partial) as T;
}
