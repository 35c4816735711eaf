import * as fs from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import { BuildContextError } from '../errors.js';
import type { BuildState } from './build-state.js';
import { resolveSources, type SourceFile, sourceFiles, sourcesChecksum } from './context/context.js';
import type { IgnoreRules } from './context/dockerignore.js';
import type { CopySource } from './copy-stage.js';
import type { CopyInstruction } from './dockerfile/instructions.js';
import type { ImageTree } from './image-tree.js';

/** Where a COPY's sources come from: the build context, or an image (`--from`). */
export type SourceRoot = { context: string; ignore: IgnoreRules } | { tree: ImageTree };

/** What a COPY or ADD takes, gathered before the cache is asked. */
export interface GatheredCopy {
  sources: CopySource[];
  /** Local archives ADD extracts (instead of copying them). */
  archives: SourceFile[];
  checksum: string;
}

/**
 * Gathers the files of a COPY or ADD (variables expanded, heredocs written
 * to `scratch`), refusing sources outside the context, and checksums them
 * for the cache key.
 */
export function gatherCopy(state: BuildState, instruction: CopyInstruction, root: SourceRoot, scratch: string): GatheredCopy {
  const sources: CopySource[] = [];
  const archives: SourceFile[] = [];
  for (const raw of instruction.sources) {
    const heredoc = /^<<-?(["']?)(.+)\1$/.exec(raw)?.[2];
    if (heredoc !== undefined) {
      sources.push(heredocSource(state, instruction, heredoc, scratch));
      continue;
    }
    const source = state.expand(raw, instruction.line);
    if (/^https?:\/\//.test(source) || /^git@/.test(source)) {
      throw new BuildContextError(
        source,
        `${instruction.kind} of a URL is not supported yet`,
        'download the file into the build context and COPY it',
      );
    }
    if ('tree' in root) {
      const files = [...root.tree.files(source)];
      if (files.length === 0)
        throw new BuildContextError(
          source,
          `does not exist in the image or stage of --from=${instruction.from}`,
          'check the path in that stage',
        );
      sources.push({ name: source, directory: files[0]?.target !== '', files });
      continue;
    }
    for (const found of resolveSources(root.context, source, root.ignore)) {
      const files = [...sourceFiles(root.context, found, root.ignore)];
      if (instruction.kind === 'ADD' && found.stat.isFile() && isArchive(found.abs))
        archives.push({ abs: found.abs, target: '', stat: found.stat });
      else sources.push({ name: found.rel, directory: found.stat.isDirectory(), files });
    }
  }
  const all = [
    ...sources.flatMap((s) => s.files.map((f) => ({ ...f, source: s.name }))),
    ...archives.map((a) => ({ ...a, source: `archive:${a.abs}` })),
  ];
  return { sources, archives, checksum: sourcesChecksum(all) };
}

function heredocSource(state: BuildState, instruction: CopyInstruction, name: string, scratch: string): CopySource {
  const doc = instruction.heredocs.find((h) => h.name === name);
  const content = doc?.expand
    ? state.expand(`"${(doc.content ?? '').replace(/(["\\])/g, '\\$1')}"`, instruction.line)
    : (doc?.content ?? '');
  const abs = join(scratch, `heredoc-${name}`);
  fs.writeFileSync(abs, content, { mode: 0o644 });
  return { name, directory: false, files: [{ abs, target: '', stat: fs.lstatSync(abs) }] };
}

/** A tar, plain or gzip'd, as ADD extracts it (the first bytes tell). */
function isArchive(path: string): boolean {
  const fd = fs.openSync(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const n = fs.readSync(fd, head, 0, 512, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
    return n >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    fs.closeSync(fd);
  }
}

/** Extracts an archive ADD takes into the staged destination directory, owners kept (or `owner`). */
export async function extractArchive(archive: string, dir: string, owner?: { uid: number; gid: number }): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await tar.x({ file: archive, cwd: dir, preserveOwner: owner === undefined, ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) });
}
