import { RegistryError } from '../../errors.js';
import type { RegistryClient } from './registry-client.js';

const MAX_RESUMES = 4;

/**
 * Streams a blob, resuming with a Range request from the last byte received
 * when the connection breaks or ends early, so an interrupted download of a
 * large layer continues instead of starting over.
 */
export async function* resumableBlob(client: RegistryClient, repository: string, digest: string, size: number): AsyncGenerator<Buffer> {
  let offset = 0;
  for (let resumes = 0; ; resumes++) {
    const { body } = await client.openBlob(repository, digest, offset);
    try {
      for await (const chunk of body) {
        offset += (chunk as Buffer).length;
        yield chunk as Buffer;
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

/** Errors that mean the body was cut off, not that the server refused. */
export function isBrokenConnection(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('UND_ERR') || ['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE'].includes(code);
}
