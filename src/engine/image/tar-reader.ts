import { LayerError } from '../../errors.js';
import { ByteReader } from './byte-reader.js';

/** Kinds of tar entries a layer may hold. */
export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

/** One tar entry's metadata, PAX and GNU extensions applied. */
export interface TarEntry {
  path: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Modification time in seconds since the epoch (may be fractional). */
  mtime: number;
  linkpath: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from `SCHILY.xattr.*` PAX records. */
  xattrs: ReadonlyMap<string, Buffer>;
}

/**
 * Told every byte of an archive {@link readTar} reads, for a tar skeleton
 * (tar-skeleton.ts): what is no entry's content as it goes by, and each
 * entry before it is yielded.
 */
export interface TarRecorder {
  /** Bytes that are no file's content: headers, extended records, padding, skipped bodies, the end and all after it. */
  raw(bytes: Buffer): void;
  /** An entry about to be yielded; returns whether its content goes to {@link raw} as well. */
  entry(entry: TarEntry): boolean;
}

/** A tar entry and its content, which must be consumed before the next entry. */
export interface TarItem {
  entry: TarEntry;
  body: AsyncIterable<Buffer>;
}

const BLOCK = 512;
// A PAX or GNU long-name record larger than this is hostile, not a real path.
const MAX_META_SIZE = 1 << 20;
const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
};

interface Overrides {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  xattrs: ReadonlyMap<string, Buffer>;
}

const NO_XATTRS: ReadonlyMap<string, Buffer> = new Map();
/** Most entries have no PAX or GNU records: they all share this. */
const NO_OVERRIDES: Readonly<Overrides> = Object.freeze({ xattrs: NO_XATTRS });

/**
 * Reads a tar stream (ustar, GNU and PAX) entry by entry, keeping what a
 * container layer needs that common tar libraries drop: xattrs, device
 * numbers and exact modes. Malformed input raises {@link LayerError}. With a
 * `recorder`, every byte read is accounted for to it, and the stream is read
 * to its end.
 */
export async function* readTar(source: AsyncIterable<Buffer>, recorder?: TarRecorder): AsyncGenerator<TarItem> {
  const reader = new RecordedReader(source, recorder);
  let next: Overrides = NO_OVERRIDES;
  let global: Overrides = NO_OVERRIDES;
  for (;;) {
    const block = await reader.raw(BLOCK);
    if (block.length === 0) return; // Tolerate archives without the end-of-archive blocks.
    if (block.length < BLOCK) throw new LayerError('layer archive is truncated inside a header');
    if (isZero(block)) return reader.rest();
    verifyChecksum(block);
    const header = parseHeader(block);
    const flag = String.fromCharCode(block[156] ?? 0);
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      const data = await readMeta(reader, header.size, flag);
      if (flag === 'x') next = mergePax(next, data);
      else if (flag === 'g') global = mergePax(global, data);
      else if (flag === 'L') next = { ...next, path: cString(data) };
      else next = { ...next, linkpath: cString(data) };
      continue;
    }
    const type = TYPES[flag];
    const entry = applyOverrides(header, type, global, next);
    next = NO_OVERRIDES;
    if (!type) {
      await skipBody(reader, entry.size);
      continue; // Unknown entry kinds (volume labels, sparse maps) carry no file to write.
    }
    const dataSize = type === 'file' ? entry.size : 0;
    const body = new TarBody(reader, dataSize, reader.recorder?.entry(entry) ?? false);
    yield { entry, body };
    await body.drain();
    await skipPadding(reader, dataSize);
    if (type !== 'file' && entry.size > 0) await skipBody(reader, entry.size);
  }
}

/**
 * An entry's content, read straight from the archive: one object per entry
 * and no generator in between, as a layer has thousands of small files.
 */
class TarBody implements AsyncIterable<Buffer>, AsyncIterator<Buffer> {
  #left: number;

  constructor(
    readonly reader: RecordedReader,
    readonly size: number,
    /** Whether the content is told to the recorder too. */
    readonly recorded: boolean,
  ) {
    this.#left = size;
  }

  async next(): Promise<IteratorResult<Buffer>> {
    if (this.#left === 0) return { done: true, value: undefined };
    const chunk = await this.reader.piece(this.#left);
    if (chunk.length === 0) {
      throw new LayerError(`layer archive is truncated: expected ${this.size} bytes of content, got ${this.size - this.#left}`);
    }
    this.#left -= chunk.length;
    if (this.recorded) this.reader.recorder?.raw(chunk);
    return { done: false, value: chunk };
  }

  /** What the consumer left unread is skipped, so the next header is next. */
  async drain(): Promise<void> {
    while (this.#left > 0) await this.next();
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this;
  }
}

/**
 * The archive's bytes, each told to the recorder (if any) unless it is file
 * content: the parts of the reader that are no content go through here.
 */
class RecordedReader extends ByteReader {
  constructor(
    source: AsyncIterable<Buffer>,
    readonly recorder: TarRecorder | undefined,
  ) {
    super(source);
  }

  /** Reads exactly `n` bytes that are no content (fewer only at the end). */
  async raw(n: number): Promise<Buffer> {
    const bytes = await this.read(n);
    this.recorder?.raw(bytes);
    return bytes;
  }

  /** Discards `n` bytes that are no content; returns how many were there. */
  async pass(n: number): Promise<number> {
    if (!this.recorder) return this.skip(n);
    let passed = 0;
    for await (const chunk of this.stream(n)) {
      this.recorder.raw(chunk);
      passed += chunk.length;
    }
    return passed;
  }

  /** After the end-of-archive block: a recorder gets whatever follows (the second block, record padding). */
  async rest(): Promise<void> {
    if (this.recorder) await this.pass(Number.POSITIVE_INFINITY);
  }
}

async function readMeta(reader: RecordedReader, size: number, flag: string): Promise<Buffer> {
  if (size > MAX_META_SIZE) throw new LayerError(`tar ${flag} record of ${size} bytes is too large`);
  const data = await reader.raw(size);
  if (data.length < size) throw new LayerError('layer archive is truncated inside an extended header');
  await skipPadding(reader, size);
  return Buffer.from(data);
}

async function skipBody(reader: RecordedReader, size: number): Promise<void> {
  if ((await reader.pass(size)) < size) throw new LayerError('layer archive is truncated');
  await skipPadding(reader, size);
}

async function skipPadding(reader: RecordedReader, size: number): Promise<void> {
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  if (pad > 0) await reader.pass(pad);
}

interface RawHeader {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkpath: string;
  devmajor: number;
  devminor: number;
}

function parseHeader(b: Buffer): RawHeader {
  const name = cString(b, 0, 100);
  const ustar = b[257] === 0x75 && b[258] === 0x73 && b[259] === 0x74 && b[260] === 0x61 && b[261] === 0x72; // "ustar"
  const prefix = ustar ? cString(b, 345, 155) : '';
  return {
    path: prefix ? `${prefix}/${name}` : name,
    mode: numeric(b, 100, 8),
    uid: numeric(b, 108, 8),
    gid: numeric(b, 116, 8),
    size: numeric(b, 124, 12),
    mtime: numeric(b, 136, 12),
    linkpath: cString(b, 157, 100),
    devmajor: ustar ? numeric(b, 329, 8) : 0,
    devminor: ustar ? numeric(b, 337, 8) : 0,
  };
}

function applyOverrides(h: RawHeader, type: TarEntryType | undefined, global: Overrides, local: Overrides): TarEntry {
  // Property by property, not by spreading: this runs for every entry.
  const plain = global === NO_OVERRIDES && local === NO_OVERRIDES;
  return {
    path: plain ? h.path : (local.path ?? global.path ?? h.path),
    type: type ?? 'file',
    mode: h.mode & 0o7777,
    uid: plain ? h.uid : (local.uid ?? global.uid ?? h.uid),
    gid: plain ? h.gid : (local.gid ?? global.gid ?? h.gid),
    size: plain ? h.size : (local.size ?? global.size ?? h.size),
    mtime: plain ? h.mtime : (local.mtime ?? global.mtime ?? h.mtime),
    linkpath: plain ? h.linkpath : (local.linkpath ?? global.linkpath ?? h.linkpath),
    devmajor: h.devmajor,
    devminor: h.devminor,
    xattrs: global.xattrs.size + local.xattrs.size === 0 ? NO_XATTRS : new Map([...global.xattrs, ...local.xattrs]),
  };
}

/** Parses PAX records `"<len> <key>=<value>\n"`; values are bytes (xattrs may be binary). */
function mergePax(into: Overrides, data: Buffer): Overrides {
  const out: Overrides & { xattrs: Map<string, Buffer> } = { ...into, xattrs: new Map(into.xattrs) };
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const len = Number(data.subarray(at, space).toString('latin1'));
    if (space < 0 || !Number.isInteger(len) || len <= 0 || at + len > data.length) {
      throw new LayerError('malformed PAX extended header');
    }
    const record = data.subarray(space + 1, at + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq < 0) throw new LayerError('malformed PAX record without "="');
    applyPax(out, record.subarray(0, eq).toString('utf8'), record.subarray(eq + 1));
    at += len;
  }
  return out;
}

function applyPax(out: Overrides & { xattrs: Map<string, Buffer> }, key: string, value: Buffer): void {
  const text = value.toString('utf8');
  if (key === 'path' || key === 'linkpath') out[key] = text;
  else if (key === 'size' || key === 'uid' || key === 'gid' || key === 'mtime') {
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new LayerError(`PAX ${key} "${text}" is not a valid number`);
    out[key] = n;
  } else if (key.startsWith('SCHILY.xattr.')) out.xattrs.set(key.slice(13), Buffer.from(value));
  else if (key.startsWith('LIBARCHIVE.xattr.')) {
    out.xattrs.set(decodeURIComponent(key.slice(17)), Buffer.from(text, 'base64'));
  }
}

function numeric(b: Buffer, offset: number, length: number): number {
  const end = offset + length;
  // GNU base-256: the high bit of the first byte marks a big-endian binary number.
  if ((b[offset] ?? 0) & 0x80) {
    let n = (b[offset] ?? 0) & 0x7f;
    for (let i = offset + 1; i < end; i++) n = n * 256 + (b[i] ?? 0);
    return n;
  }
  // Octal digits between spaces, up to a NUL: read in place (seven fields per header).
  let i = offset;
  while (i < end && b[i] === 0x20) i++;
  let n = 0;
  for (; i < end; i++) {
    const c = b[i] ?? 0;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
  }
  for (; i < end && b[i] !== 0; i++) if (b[i] !== 0x20) return numericText(cString(b, offset, length));
  return n;
}

/** The field as text, for what the in-place reading does not expect: other blanks, or garbage. */
function numericText(field: string): number {
  const text = field.trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new LayerError(`tar header field "${text}" is not an octal number`);
  return Number.parseInt(text, 8);
}

function verifyChecksum(b: Buffer): void {
  // The checksum field itself counts as eight spaces.
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += b[i] ?? 0;
  for (let i = 156; i < BLOCK; i++) sum += b[i] ?? 0;
  if (numeric(b, 148, 8) !== sum) throw new LayerError('tar header checksum mismatch: the layer is corrupt');
}

/** The NUL-terminated string in `length` bytes at `offset`. */
function cString(b: Buffer, offset = 0, length = b.length): string {
  const nul = b.indexOf(0, offset);
  const end = nul === -1 || nul > offset + length ? offset + length : nul;
  return b.toString('utf8', offset, end);
}

function isZero(b: Buffer): boolean {
  for (const byte of b) if (byte !== 0) return false;
  return true;
}
