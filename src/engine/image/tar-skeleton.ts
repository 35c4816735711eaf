import * as fs from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { StoredLayerError } from '../../errors.js';
import { ByteReader } from './byte-reader.js';
import { decompress } from './decompress.js';
import { cleanPath, OPAQUE_MARKER, WHITEOUT_PREFIX } from './layer-unpack.js';
import type { TarEntry, TarRecorder } from './tar-reader.js';

/** Frame kinds: bytes as they were, or a file's content by its path in the unpacked layer. */
const RAW = 0;
const FILE = 1;
/** A frame's kind and length. */
const HEADER = 5;
/** Raw bytes gathered before they are framed and compressed (in the thread pool). */
const BATCH = 256 * 1024;
/** Bytes read from an unpacked file at a time when the tar is rebuilt. */
const READ_CHUNK = 1 << 20;

const gzipAsync = promisify(gzip);

/**
 * Writes a layer tar's skeleton while the layer is unpacked: every byte of
 * the tar except the content of the files the unpacked layer keeps (headers,
 * extended records, padding, the end), and in place of each such content the
 * file's path in the layer and its size. With the unpacked layer it gives
 * the very tar back, byte for byte (so its digest is still the diff id), as
 * Docker's tar-split does; it is a small fraction of the layer (the headers,
 * gzip-compressed).
 *
 * Content the unpacked layer does not keep is recorded as it is: whiteout
 * files' bodies, and nothing else in a well-formed layer. When a later entry
 * replaces a file whose content the skeleton points at (a tar may name a
 * path twice), that content is gone from the layer: the skeleton cannot
 * rebuild the tar and {@link finish} says so, and the layer keeps its blob.
 */
export class TarSkeletonWriter implements TarRecorder {
  readonly #fd: number;
  /** Frames gathered before they are compressed (in the thread pool) as one gzip member. */
  #batch = Buffer.allocUnsafe(BATCH);
  #used = 0;
  /** Where the open raw frame's header is in the batch, or -1. */
  #rawAt = -1;
  /** Compressed batches are appended in order; a failure is kept for {@link finish}. */
  #tail: Promise<void> = Promise.resolve();
  #failure: { cause: unknown } | undefined;
  /** Paths whose content the skeleton points at, and the directories above them. */
  readonly #files = new Set<string>();
  readonly #dirs = new Set<string>();
  #lost: string | undefined;
  #closed = false;

  constructor(readonly path: string) {
    this.#fd = fs.openSync(path, 'w');
  }

  raw(bytes: Buffer): void {
    for (let at = 0; at < bytes.length; ) {
      if (this.#rawAt < 0) {
        if (this.#used + HEADER >= BATCH) this.#flush();
        this.#rawAt = this.#used;
        this.#used += HEADER;
      }
      const n = bytes.copy(this.#batch, this.#used, at);
      this.#used += n;
      at += n;
      if (this.#used === BATCH) this.#flush();
    }
  }

  entry(entry: TarEntry): boolean {
    const rel = this.#replaced(entry);
    if (entry.type !== 'file' || entry.size === 0) return false;
    if (rel === undefined || rel === '' || basename(rel).startsWith(WHITEOUT_PREFIX)) return true;
    this.#closeRaw();
    const path = Buffer.from(rel);
    const frame = HEADER + path.length + 8;
    if (this.#used + frame > BATCH) this.#flush();
    const into = frame > BATCH ? Buffer.allocUnsafe(frame) : this.#batch;
    const at = into === this.#batch ? this.#used : 0;
    into[at] = FILE;
    into.writeUInt32BE(path.length, at + 1);
    path.copy(into, at + HEADER);
    into.writeBigUInt64BE(BigInt(entry.size), at + HEADER + path.length);
    if (into === this.#batch) this.#used += frame;
    else this.#append(into);
    this.#files.add(rel);
    for (let dir = parentOf(rel); dir !== '' && !this.#dirs.has(dir); dir = parentOf(dir)) this.#dirs.add(dir);
    return false;
  }

  /**
   * Writes what is left. Resolves to whether the skeleton can rebuild the
   * tar; when it cannot, the file is removed.
   */
  async finish(): Promise<{ rebuilds: boolean; reason?: string }> {
    this.#flush();
    try {
      await this.#tail;
      if (this.#failure) throw this.#failure.cause;
    } finally {
      this.#close();
    }
    if (this.#lost === undefined) return { rebuilds: true };
    fs.rmSync(this.path, { force: true });
    return { rebuilds: false, reason: `"${this.#lost}" is named twice in the layer` };
  }

  /** Closes the file after a failed unpack (the caller removes it with its staging). */
  async abandon(): Promise<void> {
    await this.#tail;
    this.#close();
  }

  #close(): void {
    if (!this.#closed) fs.closeSync(this.#fd);
    this.#closed = true;
  }

  /**
   * The clean path the entry is unpacked at (undefined for one the unpacker
   * refuses), noting when it replaces content the skeleton points at: any
   * entry at such a file's path, or anything but a directory at a directory
   * above one, clears it (as the unpacker does).
   */
  #replaced(entry: TarEntry): string | undefined {
    let rel: string;
    try {
      rel = cleanPath(entry.path);
    } catch {
      return undefined; // The unpacker refuses it and the ingest fails.
    }
    const base = basename(rel);
    if (base === OPAQUE_MARKER) return rel; // Only marks its directory.
    const whiteout = base.startsWith(WHITEOUT_PREFIX);
    const target = whiteout ? join(parentOf(rel), base.slice(WHITEOUT_PREFIX.length)) : rel;
    const clears = this.#files.has(target) || (this.#dirs.has(target) && (whiteout || entry.type !== 'directory'));
    if (clears) this.#lost ??= target;
    return rel;
  }

  /** Ends the open raw frame: its length goes in its header. */
  #closeRaw(): void {
    if (this.#rawAt < 0) return;
    this.#batch[this.#rawAt] = RAW;
    this.#batch.writeUInt32BE(this.#used - this.#rawAt - HEADER, this.#rawAt + 1);
    this.#rawAt = -1;
  }

  /** Compresses the frames gathered so far. */
  #flush(): void {
    this.#closeRaw();
    if (this.#used === 0) return;
    this.#append(this.#batch.subarray(0, this.#used));
    this.#batch = Buffer.allocUnsafe(BATCH);
    this.#used = 0;
  }

  /** Compresses `frames` in the thread pool at once; writes the result after the batches before it. */
  #append(frames: Buffer): void {
    const compressed = gzipAsync(frames);
    compressed.catch(() => undefined); // Reported in order, below.
    this.#tail = this.#tail.then(async () => {
      if (this.#failure) return;
      try {
        const bytes = await compressed;
        for (let at = 0; at < bytes.length; ) at += fs.writeSync(this.#fd, bytes, at);
      } catch (cause) {
        this.#failure = { cause };
      }
    });
  }
}

/**
 * The tar of layer `chainId`, rebuilt from its skeleton and the unpacked
 * files in `diffDir`: the same bytes the skeleton was written from, as long
 * as the layer is as unpacked. A file that is not (gone, of another kind or
 * size) raises {@link StoredLayerError}; changed content passes here, so
 * callers check the diff id of what they get.
 */
export async function* rebuildTar(skeletonPath: string, diffDir: string, chainId: string): AsyncGenerator<Buffer> {
  const file = fs.createReadStream(skeletonPath);
  const frames = new ByteReader(decompress(file, 'gzip'));
  const read = async (n: number): Promise<Buffer> => {
    const bytes = await frames.read(n);
    if (bytes.length < n) throw new StoredLayerError(chainId, `its tar skeleton ${skeletonPath} is truncated`);
    return bytes;
  };
  try {
    for (let kind = await frames.read(1); kind.length > 0; kind = await frames.read(1)) {
      const size = (await read(4)).readUInt32BE(0);
      if (kind[0] === RAW) yield await read(size);
      else if (kind[0] === FILE) {
        const rel = (await read(size)).toString('utf8');
        yield* fileContent(diffDir, rel, Number((await read(8)).readBigUInt64BE(0)), chainId);
      } else throw new StoredLayerError(chainId, `its tar skeleton ${skeletonPath} is corrupt`);
    }
  } finally {
    file.destroy();
  }
}

/**
 * `size` bytes of the unpacked file `rel`, read without following a symlink.
 * Read synchronously, in pieces: most files are small, and a trip to the
 * thread pool for each open, stat, read and close costs more than the reading.
 */
function* fileContent(diffDir: string, rel: string, size: number, chainId: string): Generator<Buffer> {
  let fd: number;
  try {
    fd = fs.openSync(join(diffDir, rel), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    throw new StoredLayerError(chainId, `its unpacked file ${rel} is gone (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size !== size) {
      throw new StoredLayerError(chainId, `its unpacked file ${rel} changed: ${st.size} bytes where the layer had ${size}`);
    }
    for (let left = size; left > 0; ) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
      const n = fs.readSync(fd, buffer, 0, buffer.length, size - left);
      if (n === 0) throw new StoredLayerError(chainId, `its unpacked file ${rel} shrank while read`);
      left -= n;
      yield buffer.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash === -1 ? '' : rel.slice(0, slash);
}

function basename(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}
