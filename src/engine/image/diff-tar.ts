import * as fs from 'node:fs';
import { join } from 'node:path';
import type { HeaderData } from 'tar';
import { TAR_END, tarHeader, tarPadding } from '../../volumes/tar-header.js';
import { native } from '../native.js';

const OPAQUE_XATTR = 'trusted.overlay.opaque';
const CHUNK = 64 * 1024;

/**
 * An overlay upper dir as an OCI layer tar: overlay whiteouts (0:0 character
 * devices) become `.wh.<name>` files and opaque directories get a
 * `.wh..wh..opq` entry, as the image spec's changeset format wants. Entries
 * are sorted by name so the same changes give the same diff id; a second
 * name of an inode becomes a hardlink. Nothing is ever followed: the tree is
 * the container's writing.
 */
export async function* diffTar(upper: string, grafts: LayerGraft[] = [], lowers: string[] = []): AsyncGenerator<Buffer> {
  const planted = [...grafts]
    .map((g) => ({ ...g, target: g.target.replace(/^\/+|\/+$/g, '') }))
    .sort((a, b) => (a.target < b.target ? -1 : 1));
  const links = new Map<string, string>();
  yield* walk(upper, '', links, new Set(planted.map((g) => g.target)));
  for (const graft of planted) yield* graftEntries(graft, [upper, ...lowers], links);
  yield TAR_END;
}

/** A host directory whose content the layer holds at `target`, in place of what is there (an anonymous volume's). */
export interface LayerGraft {
  /** Absolute path in the container. */
  target: string;
  dir: string;
}

/**
 * A graft's directory, made opaque so nothing of the layers below shows
 * through, and its parents with the metadata the container sees (from the
 * upper dir, else the top-most lower layer that has them): a parent the
 * layer lacked would otherwise be unpacked as a bare 0700 directory that
 * hides the image's owner and mode.
 */
async function* graftEntries(graft: LayerGraft, layers: string[], links: Map<string, string>): AsyncGenerator<Buffer> {
  const parts = graft.target.split('/');
  for (let i = 1; i < parts.length; i++) {
    const parent = parts.slice(0, i).join('/');
    const st = layers.map((layer) => lstatOrUndefined(join(layer, parent))).find((s) => s !== undefined);
    if (st?.isDirectory()) yield tarHeader({ ...meta(st), path: `${parent}/`, type: 'Directory' });
  }
  const st = fs.lstatSync(graft.dir);
  yield tarHeader({ ...meta(st), path: `${graft.target}/`, type: 'Directory' });
  yield tarHeader({ ...meta(st), path: `${graft.target}/.wh..wh..opq`, type: 'File', size: 0, mode: 0o644 });
  yield* walk(graft.dir, `${graft.target}/`, links, new Set());
}

function lstatOrUndefined(path: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Writes the tree below `dir`; `skip` names entries (paths from the layer's root) left out: grafts come in their place. */
async function* walk(dir: string, prefix: string, links: Map<string, string>, skip: Set<string>): AsyncGenerator<Buffer> {
  for (const name of fs.readdirSync(dir).sort()) {
    const path = join(dir, name);
    const entry = `${prefix}${name}`;
    if (skip.has(entry)) continue;
    const st = fs.lstatSync(path);
    if (st.isCharacterDevice() && st.rdev === 0) {
      yield tarHeader({ ...meta(st), path: `${prefix}.wh.${name}`, type: 'File', size: 0, mode: 0o644 });
      continue;
    }
    if (st.isDirectory()) {
      yield tarHeader({ ...meta(st), path: `${entry}/`, type: 'Directory' });
      if (native().lgetxattr(path, OPAQUE_XATTR)?.toString() === 'y') {
        yield tarHeader({ ...meta(st), path: `${entry}/.wh..wh..opq`, type: 'File', size: 0, mode: 0o644 });
      }
      yield* walk(path, `${entry}/`, links, skip);
      continue;
    }
    yield* leaf(path, entry, st, links);
  }
}

async function* leaf(path: string, entry: string, st: fs.Stats, links: Map<string, string>): AsyncGenerator<Buffer> {
  const inode = `${st.dev}:${st.ino}`;
  const first = st.nlink > 1 ? links.get(inode) : undefined;
  if (first !== undefined) {
    yield tarHeader({ ...meta(st), path: entry, type: 'Link', linkpath: first, size: 0 });
    return;
  }
  if (st.nlink > 1) links.set(inode, entry);
  if (st.isSymbolicLink()) {
    yield tarHeader({ ...meta(st), path: entry, type: 'SymbolicLink', linkpath: fs.readlinkSync(path) });
  } else if (st.isFile()) {
    yield tarHeader({ ...meta(st), path: entry, type: 'File', size: st.size });
    yield* content(path, st.size);
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const type = st.isCharacterDevice() ? 'CharacterDevice' : 'BlockDevice';
    yield tarHeader({ ...meta(st), path: entry, type, devmaj: major(st.rdev), devmin: minor(st.rdev) });
  } else if (st.isFIFO()) {
    yield tarHeader({ ...meta(st), path: entry, type: 'FIFO' });
  }
  // Sockets have no place in a layer (Docker leaves them out too).
}

async function* content(path: string, size: number): AsyncGenerator<Buffer> {
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      left -= n;
      yield buf.subarray(0, n);
    }
    // A file that shrank while read is padded to the size in its header, so the archive stays valid.
    if (left > 0) yield Buffer.alloc(left);
    yield tarPadding(size);
  } finally {
    fs.closeSync(fd);
  }
}

function meta(st: fs.Stats): HeaderData {
  return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 };
}

// Linux's dev_t split (glibc's gnu_dev_major/minor) for the numbers that fit 32 bits.
function major(dev: number): number {
  return (dev >>> 8) & 0xfff;
}

function minor(dev: number): number {
  return (dev & 0xff) | ((dev >>> 12) & 0xfff00);
}
