/**
 * Builds tar archives byte by byte, so tests can craft exactly the entries a
 * real (or hostile) image layer might contain — including ones that tar
 * tools refuse to write.
 */

/** One entry to write. */
export interface RawEntry {
  path: string;
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  data?: Buffer | string;
  linkpath?: string;
  devmajor?: number;
  devminor?: number;
  /** PAX records written in an `x` header before the entry. */
  pax?: Record<string, string | Buffer>;
  /** Write the path through a GNU `L` long-name header. */
  gnuLongName?: string;
  /** Corrupt the header checksum. */
  badChecksum?: boolean;
  /** Declare a larger size than the data written (truncation). */
  declaredSize?: number;
}

const BLOCK = 512;

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(fields: {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkpath: string;
  devmajor: number;
  devminor: number;
  badChecksum?: boolean;
}): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(fields.name, 0, 100, 'utf8');
  b.write(octal(fields.mode, 8), 100, 'latin1');
  b.write(octal(fields.uid, 8), 108, 'latin1');
  b.write(octal(fields.gid, 8), 116, 'latin1');
  b.write(octal(fields.size, 12), 124, 'latin1');
  b.write(octal(fields.mtime, 12), 136, 'latin1');
  b.write('        ', 148, 'latin1');
  b.write(fields.type, 156, 'latin1');
  b.write(fields.linkpath, 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 'latin1');
  b.write(octal(fields.devmajor, 8), 329, 'latin1');
  b.write(octal(fields.devminor, 8), 337, 'latin1');
  let sum = 0;
  for (const byte of b) sum += byte;
  if (fields.badChecksum) sum += 1;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

function padded(data: Buffer): Buffer[] {
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return [data, Buffer.alloc(pad)];
}

function paxData(records: Record<string, string | Buffer>): Buffer {
  const parts = Object.entries(records).map(([key, value]) => {
    const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    return Buffer.concat([Buffer.from(String(len)), body]);
  });
  return Buffer.concat(parts);
}

function metaEntry(type: 'x' | 'L', data: Buffer): Buffer[] {
  const h = header({
    name: '././@Meta',
    type,
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: data.length,
    mtime: 0,
    linkpath: '',
    devmajor: 0,
    devminor: 0,
  });
  return [h, ...padded(data)];
}

/** Serialises entries into a complete tar archive (with end-of-archive blocks). */
export function buildTar(entries: RawEntry[], options: { endBlocks?: boolean } = {}): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    if (e.pax) out.push(...metaEntry('x', paxData(e.pax)));
    if (e.gnuLongName) out.push(...metaEntry('L', Buffer.from(`${e.gnuLongName}\0`)));
    const type = e.type ?? '0';
    out.push(
      header({
        name: e.path,
        type,
        mode: e.mode ?? (type === '5' ? 0o755 : 0o644),
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        size: e.declaredSize ?? (type === '0' ? data.length : 0),
        mtime: e.mtime ?? 1_700_000_000,
        linkpath: e.linkpath ?? '',
        devmajor: e.devmajor ?? 0,
        devminor: e.devminor ?? 0,
        badChecksum: e.badChecksum ?? false,
      }),
    );
    if (type === '0') out.push(...padded(data));
  }
  if (options.endBlocks ?? true) out.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(out);
}

/** Yields a buffer in small chunks, as a network stream would. */
export async function* chunked(buf: Buffer, size = 700): AsyncGenerator<Buffer> {
  for (let at = 0; at < buf.length; at += size) yield buf.subarray(at, at + size);
}
