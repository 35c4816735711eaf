import { RegistryError, RegistryTimeoutError } from '../../errors.js';
import type { RegistryClient } from './registry-client.js';

const MAX_RESUMES = 4;

/**
 * Streams a blob, resuming with a Range request from the last byte received
 * when the connection breaks or ends early, so an interrupted download of a
 * large layer continues instead of starting over (or, from a server without
 * ranges, skips what it already had).
 */
export async function* resumableBlob(client: RegistryClient, repository: string, digest: string, size: number): AsyncGenerator<Buffer> {
  let offset = 0;
  for (let resumes = 0; ; resumes++) {
    const { body, start } = await client.openBlob(repository, digest, offset);
    // A server that ignored the range sends what was already received again.
    let skip = offset - start;
    try {
      for await (const piece of body) {
        let chunk = piece as Buffer;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
          if (chunk.length === 0) continue;
        }
        offset += chunk.length;
        yield chunk;
      }
    } catch (error) {
      if (!isBrokenConnection(error) || resumes >= MAX_RESUMES) throw error;
      // Every byte came before the connection broke: a range from the end would be refused (416).
      if (offset >= size) return;
      continue;
    } finally {
      body.destroy();
    }
    if (offset >= size) return;
    if (resumes >= MAX_RESUMES) {
      throw new RegistryError(`blob ${digest} keeps ending early (${offset} of ${size} bytes)`, undefined, {
        hint: 'the registry or a proxy in between is cutting downloads short',
      });
    }
  }
}

/** Errors that mean the body was cut off or stalled, not that the server refused. */
export function isBrokenConnection(error: unknown): boolean {
  if (error instanceof RegistryTimeoutError) return true;
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('UND_ERR') || ['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE'].includes(code);
}
