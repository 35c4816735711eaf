import * as fs from 'node:fs';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import type { HeaderData } from 'tar';
import { TAR_END, tarHeader, tarPadding } from './tar-header.js';

/** Owner and permission bits to give what is copied (default: root, the source's mode). */
export interface CopyOwnership {
  /** Permission bits, e.g. `0o755`; for a directory, given to everything in it. */
  mode?: number;
  uid?: number;
  gid?: number;
}

/** A host file to copy to `target` (a container path, the file's new name). */
export interface FileToCopy extends CopyOwnership {
  source: string;
  target: string;
}

/** A host directory whose content goes into the container directory `target`. */
export type DirectoryToCopy = FileToCopy;

/** Bytes to write as the container file `target`. */
export interface ContentToCopy extends CopyOwnership {
  content: string | Buffer | Readable;
  target: string;
}

/** A tar archive to extract into the existing container directory `target`. */
export interface ArchiveToCopy {
  tar: AsyncIterable<Buffer>;
  target: string;
}

/** What to copy in one go. */
export interface CopySources {
  files?: FileToCopy[];
  directories?: DirectoryToCopy[];
  contents?: ContentToCopy[];
}

/**
 * One tar archive, to extract at `/`, holding the files, directory trees
 * and contents to copy: entry names are the container paths without the
 * leading `/`, so missing parents are created by the extraction. Host
 * symlinks are followed, as testcontainers does.
 */
export async function* copyArchive(sources: CopySources): AsyncGenerator<Buffer> {
  for (const file of sources.files ?? []) yield* hostEntry(file.source, entryName(file.target), file);
  for (const dir of sources.directories ?? []) {
    const prefix = posix.normalize(`/${dir.target}/`).slice(1);
    for (const child of fs.readdirSync(dir.source).sort()) yield* hostEntry(join(dir.source, child), `${prefix}${child}`, dir);
  }
  for (const item of sources.contents ?? []) {
    const data = await contentBytes(item.content);
    yield* fileBytes(entryName(item.target), data, item, 0o644);
  }
  yield TAR_END;
}

async function* hostEntry(source: string, name: string, own: CopyOwnership): AsyncGenerator<Buffer> {
  const st = fs.statSync(source);
  if (st.isDirectory()) {
    yield tarHeader({ ...header(name, own, st.mode), path: `${name}/`, type: 'Directory' });
    for (const child of fs.readdirSync(source).sort()) yield* hostEntry(join(source, child), `${name}/${child}`, own);
  } else if (st.isFile()) {
    yield* fileBytes(name, fs.readFileSync(source), own, st.mode);
  }
}

function* fileBytes(name: string, data: Buffer, own: CopyOwnership, fallbackMode: number): Generator<Buffer> {
  yield tarHeader({ ...header(name, own, fallbackMode), type: 'File', size: data.length });
  yield data;
  yield tarPadding(data.length);
}

function header(name: string, own: CopyOwnership, fallbackMode: number): HeaderData {
  return { path: name, mode: (own.mode ?? fallbackMode) & 0o7777, uid: own.uid ?? 0, gid: own.gid ?? 0, mtime: new Date(), size: 0 };
}

/** A container path as an archive entry name: normalised, without the leading `/`. */
function entryName(target: string): string {
  const name = posix.normalize(`/${target}`).replace(/^\/+|\/+$/g, '');
  if (name === '') throw new TypeError(`copy target "${target}" must name a file or directory below /`);
  return name;
}

async function contentBytes(content: string | Buffer | Readable): Promise<Buffer> {
  if (typeof content === 'string') return Buffer.from(content);
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
