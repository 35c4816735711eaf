import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { BuildContextError } from '../../errors.js';
import type { IgnoreRules } from './dockerignore.js';
import { patternRegex } from './pattern.js';

/** A path of the build context a COPY or ADD names. */
export interface ContextSource {
  /** Relative to the context, `/`-separated (`.` for the root). */
  rel: string;
  abs: string;
  stat: fs.Stats;
}

const GLOB = /[*?[]/;

/**
 * The context paths `source` names (a path or a glob), refusing anything
 * outside the context: `../x`, or a path whose symlinks lead out of it.
 * Ignored paths are as absent as they are to `docker build`.
 */
export function resolveSources(context: string, source: string, ignore: IgnoreRules): ContextSource[] {
  const rel = posix.normalize(source.replace(/^\/+/, '') || '.').replace(/\/+$/, '') || '.';
  if (rel === '..' || rel.startsWith('../')) throw new BuildContextError(source, 'is outside the build context');
  const root = fs.realpathSync(context);
  if (GLOB.test(rel)) {
    const regex = patternRegex(rel);
    const found = listContext(root, ignore).filter((p) => regex.test(p));
    if (found.length === 0)
      throw new BuildContextError(source, 'matches no file in the build context', 'check the pattern and the .dockerignore');
    return found.map((p) => contextSource(root, p, source));
  }
  if (rel !== '.' && ignore.ignores(rel)) {
    throw new BuildContextError(source, 'is excluded by .dockerignore', 'remove the matching .dockerignore line or add a !exception');
  }
  return [contextSource(root, rel, source)];
}

function contextSource(root: string, rel: string, source: string): ContextSource {
  const abs = join(root, rel);
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    throw new BuildContextError(source, 'does not exist in the build context', 'check the path (it is relative to the context directory)');
  }
  if (real !== root && !real.startsWith(root + sep))
    throw new BuildContextError(source, `is a symlink that leads out of the build context (to ${real})`);
  return { rel, abs: real, stat: fs.statSync(real) };
}

/** Every path of the context that .dockerignore keeps, `/`-separated, parents before children. */
export function listContext(root: string, ignore: IgnoreRules, dir = ''): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(join(root, dir)).sort()) {
    const rel = dir ? `${dir}/${name}` : name;
    const ignored = ignore.ignores(rel);
    if (!ignored) out.push(rel);
    const st = fs.lstatSync(join(root, rel));
    if (st.isDirectory() && (!ignored || ignore.hasExceptions())) out.push(...listContext(root, ignore, rel));
  }
  return out;
}

/** One file a COPY takes: where it is on the host, and where below the destination it goes. */
export interface SourceFile {
  abs: string;
  /** Path below the destination, `/`-separated ('' for a single file copied as the destination). */
  target: string;
  stat: fs.Stats;
}

/**
 * The files a source stands for, as COPY takes them: a file itself, a
 * directory's content (not the directory), symlinks inside as symlinks.
 * Ignored paths below a directory are left out.
 */
export function* sourceFiles(context: string, source: ContextSource, ignore: IgnoreRules): Generator<SourceFile> {
  if (!source.stat.isDirectory()) {
    yield { abs: source.abs, target: '', stat: source.stat };
    return;
  }
  const root = fs.realpathSync(context);
  yield* walk(root, source.abs, '', ignore);
}

function* walk(root: string, dir: string, prefix: string, ignore: IgnoreRules): Generator<SourceFile> {
  for (const name of fs.readdirSync(dir).sort()) {
    const abs = join(dir, name);
    const target = prefix ? `${prefix}/${name}` : name;
    const ignored = ignore.ignores(relative(root, abs).split(sep).join('/'));
    const stat = fs.lstatSync(abs);
    if (!ignored) yield { abs, target, stat };
    if (stat.isDirectory() && (!ignored || ignore.hasExceptions())) yield* walk(root, abs, target, ignore);
  }
}

/**
 * A checksum of what a COPY takes, as BuildKit keys its cache: names, types,
 * modes, owners, link targets and content, never mtimes — touching a file
 * without changing it keeps the cache.
 */
export function sourcesChecksum(files: Iterable<SourceFile & { source: string }>): string {
  const hash = createHash('sha256');
  for (const f of files) {
    const kind = f.stat.isDirectory() ? 'd' : f.stat.isSymbolicLink() ? 'l' : f.stat.isFile() ? 'f' : 'o';
    hash.update(`${f.source}\0${f.target}\0${kind}\0${f.stat.mode & 0o7777}\0${f.stat.uid}:${f.stat.gid}\0`);
    if (kind === 'l') hash.update(fs.readlinkSync(f.abs));
    if (kind === 'f') hash.update(fileDigest(f.abs));
    hash.update('\n');
  }
  return `sha256:${hash.digest('hex')}`;
}

function fileDigest(path: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const buf = Buffer.allocUnsafe(256 * 1024);
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}
