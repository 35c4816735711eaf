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
  xattrs: Map<string, Buffer>;
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
  xattrs: Map<string, Buffer>;
}

/**
 * Reads a tar stream (ustar, GNU and PAX) entry by entry, keeping what a
 * container layer needs that common tar libraries drop: xattrs, device
 * numbers and exact modes. Malformed input raises {@link LayerError}.
 */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarItem> {
  const reader = new ByteReader(source);
  let next: Overrides = { xattrs: new Map() };
  let global: Overrides = { xattrs: new Map() };
  for (;;) {
    const block = await reader.read(BLOCK);
    if (block.length === 0) return; // Tolerate archives without the end-of-archive blocks.
    if (block.length < BLOCK) throw new LayerError('layer archive is truncated inside a header');
    if (isZero(block)) return;
    verifyChecksum(block);
    const header = parseHeader(block);
    const flag = String.fromCharCode(block[156] ?? 0);
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      const data = await readMeta(reader, header.size, flag);
      if (flag === 'x') next = mergePax(next, data);
      else if (flag === 'g') global = mergePax(global, data);
      else if (flag === 'L') next.path = cString(data);
      else next.linkpath = cString(data);
      continue;
    }
    const type = TYPES[flag];
    const entry = applyOverrides(header, type, global, next);
    next = { xattrs: new Map() };
    if (!type) {
      await skipBody(reader, entry.size);
      continue; // Unknown entry kinds (volume labels, sparse maps) carry no file to write.
    }
    const dataSize = type === 'file' ? entry.size : 0;
    let consumed = false;
    const body = bodyOf(reader, dataSize, () => {
      consumed = true;
    });
    yield { entry, body };
    if (!consumed) for await (const _ of body) void _;
    await skipPadding(reader, dataSize);
    if (type !== 'file' && entry.size > 0) await skipBody(reader, entry.size);
  }
}

async function* bodyOf(reader: ByteReader, size: number, onDone: () => void): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const chunk of reader.stream(size)) {
    read += chunk.length;
    yield chunk;
  }
  onDone();
  if (read < size) throw new LayerError(`layer archive is truncated: expected ${size} bytes of content, got ${read}`);
}

async function readMeta(reader: ByteReader, size: number, flag: string): Promise<Buffer> {
  if (size > MAX_META_SIZE) throw new LayerError(`tar ${flag} record of ${size} bytes is too large`);
  const data = await reader.read(size);
  if (data.length < size) throw new LayerError('layer archive is truncated inside an extended header');
  await skipPadding(reader, size);
  return Buffer.from(data);
}

async function skipBody(reader: ByteReader, size: number): Promise<void> {
  if ((await reader.skip(size)) < size) throw new LayerError('layer archive is truncated');
  await skipPadding(reader, size);
}

async function skipPadding(reader: ByteReader, size: number): Promise<void> {
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  if (pad > 0) await reader.skip(pad);
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
  const name = cString(b.subarray(0, 100));
  const ustar = b.subarray(257, 262).toString('latin1') === 'ustar';
  const prefix = ustar ? cString(b.subarray(345, 500)) : '';
  return {
    path: prefix ? `${prefix}/${name}` : name,
    mode: numeric(b, 100, 8),
    uid: numeric(b, 108, 8),
    gid: numeric(b, 116, 8),
    size: numeric(b, 124, 12),
    mtime: numeric(b, 136, 12),
    linkpath: cString(b.subarray(157, 257)),
    devmajor: ustar ? numeric(b, 329, 8) : 0,
    devminor: ustar ? numeric(b, 337, 8) : 0,
  };
}

function applyOverrides(h: RawHeader, type: TarEntryType | undefined, global: Overrides, local: Overrides): TarEntry {
  const pick = <K extends 'path' | 'linkpath' | 'size' | 'uid' | 'gid' | 'mtime'>(k: K): RawHeader[K] =>
    (local[k] ?? global[k] ?? h[k]) as RawHeader[K];
  return {
    ...h,
    path: pick('path'),
    linkpath: pick('linkpath'),
    size: pick('size'),
    uid: pick('uid'),
    gid: pick('gid'),
    mtime: pick('mtime'),
    mode: h.mode & 0o7777,
    type: type ?? 'file',
    xattrs: new Map([...global.xattrs, ...local.xattrs]),
  };
}

/** Parses PAX records `"<len> <key>=<value>\n"`; values are bytes (xattrs may be binary). */
function mergePax(into: Overrides, data: Buffer): Overrides {
  const out: Overrides = { ...into, xattrs: new Map(into.xattrs) };
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

function applyPax(out: Overrides, key: string, value: Buffer): void {
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
  const field = b.subarray(offset, offset + length);
  // GNU base-256: the high bit of the first byte marks a big-endian binary number.
  if ((field[0] ?? 0) & 0x80) {
    let n = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] ?? 0);
    return n;
  }
  const text = cString(field).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new LayerError(`tar header field "${text}" is not an octal number`);
  return Number.parseInt(text, 8);
}

function verifyChecksum(b: Buffer): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (b[i] ?? 0);
  if (numeric(b, 148, 8) !== sum) throw new LayerError('tar header checksum mismatch: the layer is corrupt');
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul === -1 ? b.length : nul).toString('utf8');
}

function isZero(b: Buffer): boolean {
  for (const byte of b) if (byte !== 0) return false;
  return true;
}
