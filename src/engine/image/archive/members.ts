import * as fs from 'node:fs';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { ArchiveError } from '../../../errors.js';

/** The files of an image archive or layout, by member name (`manifest.json`, `blobs/sha256/<hex>`). */
export interface ArchiveMembers {
  /** A member's bytes, or undefined when the archive has (so far) no such member. */
  bytes(name: string): Buffer | undefined;
  /** Streams a member's content (destroy the stream when done with it). */
  open(name: string): Readable;
}

/** An archive lacks a member its metadata names (or lacks it so far, while it is being read). */
export class MissingMemberError extends ArchiveError {
  constructor(
    readonly member: string,
    message = `has no member "${member}"`,
  ) {
    super(`the archive ${message}`);
  }
}

/**
 * The normal form of a member path: no `./`, no empty parts. Absolute paths
 * and `..` parts are refused, as they name something outside the archive.
 */
export function memberName(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (path.startsWith('/') || parts.includes('..')) {
    throw new ArchiveError(`archive member "${path}" points outside the archive`, {
      hint: 'the archive is hostile or broken; image archives only hold relative paths',
    });
  }
  return parts.join('/');
}

/** A member's bytes, or {@link MissingMemberError}. */
export function requireBytes(members: ArchiveMembers, name: string): Buffer {
  const bytes = members.bytes(name);
  if (!bytes) throw new MissingMemberError(name);
  return bytes;
}

/** A member parsed as JSON (not validated beyond that). */
export function requireJson<T>(members: ArchiveMembers, name: string): T {
  return parseJson<T>(requireBytes(members, name), `archive member ${name}`);
}

/** Parses JSON, raising {@link ArchiveError} for anything that is not. */
export function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (error) {
    throw new ArchiveError(`${what} is not valid JSON`, { cause: error });
  }
}

/** The members of an OCI image layout directory. */
export class DirectoryMembers implements ArchiveMembers {
  constructor(readonly dir: string) {}

  bytes(name: string): Buffer | undefined {
    const path = this.#path(name);
    return path === undefined ? undefined : fs.readFileSync(path);
  }

  open(name: string): Readable {
    const path = this.#path(name);
    if (path === undefined) throw new MissingMemberError(name);
    return fs.createReadStream(path);
  }

  /**
   * The member's path, or undefined if there is none. A symbolic link on
   * the way is refused: it could lead the load to any file on the host.
   */
  #path(name: string): string | undefined {
    let at = this.dir;
    for (const part of memberName(name).split('/')) {
      at = join(at, part);
      const stat = fs.lstatSync(at, { throwIfNoEntry: false });
      if (!stat) return undefined;
      if (stat.isSymbolicLink()) {
        throw new ArchiveError(`${at} in the OCI layout is a symbolic link`, {
          hint: 'an OCI layout holds its files itself: copy it with the links resolved (cp -rL), or save it again',
        });
      }
    }
    return at;
  }
}

// Members up to this size stay in memory (configs, manifests, small layers), up to this total.
const MEMORY_MEMBER = 1 << 20;
const MEMORY_TOTAL = 64 << 20;
const MAX_LINK_HOPS = 16;

/**
 * Members of a tar archive read once, in whatever order it holds them: small
 * ones kept in memory, others spooled to numbered files in a private
 * directory (never by their archive names), links kept as aliases.
 */
export class SpooledMembers implements ArchiveMembers {
  readonly #memory = new Map<string, Buffer>();
  readonly #files = new Map<string, string>();
  readonly #links = new Map<string, string>();
  #memoryUsed = 0;
  #spooled = 0;

  constructor(readonly dir: string) {}

  /** Keeps a regular file member (its body is consumed). */
  async keep(name: string, size: number, body: AsyncIterable<Buffer>): Promise<void> {
    this.#forget(name);
    if (size <= MEMORY_MEMBER && this.#memoryUsed + size <= MEMORY_TOTAL) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk);
      this.#memory.set(name, Buffer.concat(chunks));
      this.#memoryUsed += size;
      return;
    }
    fs.mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, String(this.#spooled++));
    const fd = fs.openSync(path, 'w');
    try {
      for await (const chunk of body) fs.writeSync(fd, chunk);
    } finally {
      fs.closeSync(fd);
    }
    this.#files.set(name, path);
  }

  /** Records a symlink (target relative to the member's directory) or hardlink (target relative to the root). */
  link(name: string, kind: 'symlink' | 'hardlink', target: string): void {
    this.#forget(name);
    const relative = kind === 'symlink' && !target.startsWith('/');
    this.#links.set(name, memberName(relative ? posix.join(posix.dirname(name), target) : target));
  }

  /** The regular member a name stands for, following links. */
  resolve(name: string): string {
    let at = name;
    for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
      const next = this.#links.get(at);
      if (next === undefined) return at;
      at = next;
    }
    throw new ArchiveError(`archive member "${name}" is a loop of links`);
  }

  bytes(name: string): Buffer | undefined {
    const real = this.resolve(name);
    const file = this.#files.get(real);
    return file ? fs.readFileSync(file) : this.#memory.get(real);
  }

  open(name: string): Readable {
    const real = this.resolve(name);
    const file = this.#files.get(real);
    if (file) return fs.createReadStream(file);
    const bytes = this.#memory.get(real);
    if (!bytes) throw new MissingMemberError(name);
    return Readable.from([bytes]);
  }

  /** Removes the spooled files. */
  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  #forget(name: string): void {
    this.#memoryUsed -= this.#memory.get(name)?.length ?? 0;
    this.#memory.delete(name);
    this.#files.delete(name);
    this.#links.delete(name);
  }
}
