import type { ImageTree } from './image-tree.js';

/** A numeric owner for copied files. */
export interface Owner {
  uid: number;
  gid: number;
}

/**
 * Resolves `--chown=user[:group]` as Docker does: numbers as they are, names
 * from the image's /etc/passwd and /etc/group; a user without a group gets
 * the group of the same number as its uid. Throws with what was missing.
 */
export function resolveOwner(spec: string, tree: ImageTree): Owner {
  const [user = '', group] = spec.split(':');
  const uid = lookup(user, tree, '/etc/passwd');
  const gid = group === undefined ? uid : lookup(group, tree, '/etc/group');
  return { uid, gid };
}

function lookup(name: string, tree: ImageTree, file: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const text = tree.read(file)?.toString('utf8') ?? '';
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields[2] !== undefined && /^\d+$/.test(fields[2])) return Number(fields[2]);
  }
  throw new Error(`no ${file === '/etc/passwd' ? 'user' : 'group'} "${name}" in the image's ${file}`);
}
