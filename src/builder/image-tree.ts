import * as fs from 'node:fs';
import { join, posix } from 'node:path';
import { native } from '../engine/native.js';
import type { SourceFile } from './context/context.js';

const OPAQUE_XATTR = 'trusted.overlay.opaque';
const MAX_LINKS = 40;

/** A path of an image's filesystem and the layer directory that holds it. */
export interface TreeEntry {
  /** Host path of the entry in its layer. */
  abs: string;
  stat: fs.Stats;
}

/**
 * An image's filesystem as overlayfs would show it, read straight from its
 * unpacked layers (top-most first): whiteouts (0:0 character devices) and
 * opaque directories hide what lies below. The builder reads COPY --from
 * sources, destinations' symlinks and /etc/passwd through it without
 * mounting anything.
 */
export class ImageTree {
  constructor(readonly layers: string[]) {}

  /** The entry at `path` (symlinks not followed), or undefined. */
  lstat(path: string): TreeEntry | undefined {
    const parts = split(path);
    for (const layer of this.layers) {
      for (let i = 1; i <= parts.length; i++) {
        const here = join(layer, ...parts.slice(0, i));
        const st = lstat(here);
        if (st === undefined) break;
        if (st.isCharacterDevice() && st.rdev === 0) return undefined;
        if (i === parts.length) return { abs: here, stat: st };
        if (!st.isDirectory()) return undefined;
      }
      if (this.#hides(layer, parts)) return undefined;
    }
    return parts.length === 0 ? { abs: this.layers.at(-1) ?? '/', stat: fs.statSync(this.layers.at(-1) ?? '/') } : undefined;
  }

  /** Whether a directory of `layer` above the path is opaque, so lower layers do not show it. */
  #hides(layer: string, parts: string[]): boolean {
    for (let i = 1; i < parts.length; i++) {
      const dir = join(layer, ...parts.slice(0, i));
      if (!lstat(dir)?.isDirectory()) return false;
      if (native().lgetxattr(dir, OPAQUE_XATTR)?.toString() === 'y') return true;
    }
    return false;
  }

  /** `path` with every symlink in it followed inside the image (`..` stops at its root), as the container sees it. */
  resolve(path: string, followLast = true): string {
    let pending = split(path);
    let done: string[] = [];
    for (let hops = 0; pending.length > 0; ) {
      const [name, ...rest] = pending as [string, ...string[]];
      pending = rest;
      if (name === '..') {
        done.pop();
        continue;
      }
      const candidate = [...done, name];
      const entry = this.lstat(`/${candidate.join('/')}`);
      if (entry?.stat.isSymbolicLink() && (followLast || pending.length > 0)) {
        if (++hops > MAX_LINKS) throw new Error(`too many symlinks in ${path}`);
        const target = fs.readlinkSync(entry.abs);
        if (target.startsWith('/')) done = [];
        pending = [...split(target), ...pending];
        continue;
      }
      done = candidate;
    }
    return `/${done.join('/')}`;
  }

  /** The names in directory `path` (already resolved), merged over the layers. */
  readdir(path: string): string[] {
    const parts = split(path);
    const seen = new Map<string, boolean>();
    for (const layer of this.layers) {
      const dir = join(layer, ...parts);
      const st = lstat(dir);
      if (st?.isDirectory()) {
        for (const name of fs.readdirSync(dir)) {
          if (seen.has(name)) continue;
          const child = fs.lstatSync(join(dir, name));
          seen.set(name, !(child.isCharacterDevice() && child.rdev === 0));
        }
        if (native().lgetxattr(dir, OPAQUE_XATTR)?.toString() === 'y') break;
      } else if (st !== undefined) break;
      if (this.#hides(layer, parts)) break;
    }
    return [...seen]
      .filter(([, present]) => present)
      .map(([name]) => name)
      .sort();
  }

  /** A file's content, symlinks followed; undefined if absent. */
  read(path: string): Buffer | undefined {
    const entry = this.lstat(this.resolve(path));
    return entry?.stat.isFile() ? fs.readFileSync(entry.abs) : undefined;
  }

  /** The files below `path` as COPY --from takes them: a file itself, or a directory's content. */
  *files(path: string): Generator<SourceFile> {
    const resolved = this.resolve(path);
    const entry = this.lstat(resolved);
    if (!entry) return;
    if (!entry.stat.isDirectory()) {
      yield { abs: entry.abs, target: '', stat: entry.stat };
      return;
    }
    yield* this.#walk(resolved, '');
  }

  *#walk(dir: string, prefix: string): Generator<SourceFile> {
    for (const name of this.readdir(dir)) {
      const path = posix.join(dir, name);
      const entry = this.lstat(path);
      if (!entry) continue;
      const target = prefix ? `${prefix}/${name}` : name;
      yield { abs: entry.abs, target, stat: entry.stat };
      if (entry.stat.isDirectory()) yield* this.#walk(path, target);
    }
  }
}

function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

function lstat(path: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(path);
  } catch {
    return undefined;
  }
}
