import { createRequire } from 'node:module';
import type { HeaderData } from 'tar';

// node-tar is required at the first header, not at import: most runs never write a tar.
const require = createRequire(import.meta.url);
let tar: typeof import('tar') | undefined;

const BLOCK = 512;

/** The two zero blocks that end a tar archive. */
export const TAR_END = Buffer.alloc(2 * BLOCK);

/**
 * A tar entry header, preceded by a PAX header when a field does not fit
 * ustar (long paths or link targets, large sizes or ids). node-tar does the
 * encoding; Berth decides what goes in.
 */
export function tarHeader(data: HeaderData): Buffer {
  tar ??= require('tar') as typeof import('tar');
  const header = new tar.Header(data);
  header.encode();
  const block = header.block ?? Buffer.alloc(BLOCK);
  return header.needPax ? Buffer.concat([new tar.Pax(data).encode(), block]) : block;
}

/** Zero bytes that round an entry's content of `size` bytes up to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}
