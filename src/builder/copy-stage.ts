import * as fs from 'node:fs';
import { basename, join, posix } from 'node:path';
import type { SourceFile } from './context/context.js';
import type { ImageTree } from './image-tree.js';
import type { Owner } from './owner.js';

/** One source of a COPY or ADD, with the files it stands for. */
export interface CopySource {
  /** The source as written, for its base name. */
  name: string;
  /** Whether the source is a directory (its content is copied, not itself). */
  directory: boolean;
  files: SourceFile[];
}

/** Where and how a COPY puts its files. */
export interface CopyPlacement {
  /** The destination in the image: absolute, WORKDIR already applied; a trailing `/` means a directory. */
  dest: string;
  /** Owner of everything copied; undefined: the source's own owner (COPY --from), see `keepOwner`. */
  owner?: Owner;
  chmod?: number;
}

/**
 * Lays the files of a COPY out in `staging` as an overlay upper dir would
 * hold them, so the layer writer turns them into one layer: each source's
 * files at their place below the destination (Docker's rules: a directory's
 * content, a file into a destination directory under its own name, or as
 * the destination), parents that the image has with the image's owner and
 * mode, symlinks of the image's path (e.g. /bin -> usr/bin) followed.
 */
export function stageCopy(staging: string, tree: ImageTree, sources: CopySource[], placement: CopyPlacement): void {
  const intoDir =
    placement.dest.endsWith('/') || sources.length > 1 || sources.some((s) => s.directory) || isDirectory(tree, placement.dest);
  const dest = tree.resolve(placement.dest);
  const dirs: { path: string; file: SourceFile }[] = [];
  for (const source of sources) {
    for (const file of source.files) {
      const target = file.target
        ? posix.join(dest, file.target)
        : intoDir
          ? posix.join(dest, basename(source.name.replace(/\/+$/, '')))
          : dest;
      const path = join(staging, target);
      ensureParents(staging, tree, posix.dirname(target));
      place(file, path, placement);
      if (file.stat.isDirectory()) dirs.push({ path, file });
    }
  }
  if (intoDir) ensureParents(staging, tree, dest);
  // Directory times last: writing their content changed them.
  for (const { path, file } of dirs.reverse()) fs.utimesSync(path, file.stat.atime, file.stat.mtime);
}

function isDirectory(tree: ImageTree, path: string): boolean {
  return tree.lstat(tree.resolve(path))?.stat.isDirectory() ?? false;
}

function place(file: SourceFile, path: string, placement: CopyPlacement): void {
  const { stat } = file;
  const uid = placement.owner?.uid ?? stat.uid;
  const gid = placement.owner?.gid ?? stat.gid;
  const mode = placement.chmod ?? stat.mode & 0o7777;
  if (stat.isDirectory()) {
    if (!fs.existsSync(path)) fs.mkdirSync(path);
    fs.chmodSync(path, mode);
    fs.chownSync(path, uid, gid);
    return;
  }
  fs.rmSync(path, { force: true, recursive: true });
  if (stat.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(file.abs), path);
    fs.lchownSync(path, uid, gid);
    fs.lutimesSync(path, stat.atime, stat.mtime);
    return;
  }
  fs.copyFileSync(file.abs, path);
  fs.chownSync(path, uid, gid);
  fs.chmodSync(path, mode);
  fs.utimesSync(path, stat.atime, stat.mtime);
}

/** Creates the directories down to `dir` in staging, each with the image's metadata if the image has it (else root, 0755). */
export function ensureParents(staging: string, tree: ImageTree, dir: string): void {
  const parts = dir.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const containerPath = `/${parts.slice(0, i).join('/')}`;
    const path = join(staging, containerPath);
    if (fs.existsSync(path)) continue;
    fs.mkdirSync(path, { mode: 0o755 });
    const entry = tree.lstat(containerPath);
    if (entry?.stat.isDirectory()) {
      fs.chmodSync(path, entry.stat.mode & 0o7777);
      fs.chownSync(path, entry.stat.uid, entry.stat.gid);
      fs.utimesSync(path, entry.stat.atime, entry.stat.mtime);
    } else fs.chmodSync(path, 0o755);
  }
}
