import type { Readable } from 'node:stream';
import { InvalidSpecError } from '../../errors.js';
import type { ExtractOptions, PathArchive, PathStat } from '../api/index.js';
import type { DockerTransport } from './transport.js';

/** Go's `os.FileMode` bits the daemon reports, and the `st_mode` type bits they stand for. */
const GO_TYPES: [bit: number, ifmt: number][] = [
  [1 << 31, 0o040000], // directory
  [1 << 27, 0o120000], // symlink
  [1 << 26, 0o060000], // device (block unless char device too)
  [1 << 25, 0o010000], // named pipe
  [1 << 24, 0o140000], // socket
];
const GO_CHAR_DEVICE = 1 << 21;
const GO_SETUID = 1 << 23;
const GO_SETGID = 1 << 22;
const GO_STICKY = 1 << 20;

/** `st_mode` from a Go `os.FileMode` (as `X-Docker-Container-Path-Stat` carries it). */
export function unixMode(goMode: number): number {
  const mode = goMode >>> 0;
  let ifmt = 0o100000;
  for (const [bit, type] of GO_TYPES) {
    if (mode & bit) {
      ifmt = type;
      break;
    }
  }
  if (mode & GO_CHAR_DEVICE) ifmt = 0o020000;
  const special = (mode & GO_SETUID ? 0o4000 : 0) | (mode & GO_SETGID ? 0o2000 : 0) | (mode & GO_STICKY ? 0o1000 : 0);
  return ifmt | special | (mode & 0o777);
}

/** `PUT /containers/{id}/archive`: extracts a tar into a directory of the container. */
export async function putArchive(
  api: DockerTransport,
  id: string,
  path: string,
  tar: AsyncIterable<Buffer>,
  options: ExtractOptions = {},
): Promise<void> {
  if (options.uid !== undefined || options.gid !== undefined) {
    throw new InvalidSpecError(
      'the Docker backend cannot change the owner of copied files',
      "set the owner in the archive's entries instead of uid/gid",
    );
  }
  await api.send({
    method: 'PUT',
    path: `/containers/${encodeURIComponent(id)}/archive`,
    query: { path },
    body: tar,
    subject: { kind: 'path', name: path, container: id },
  });
}

/** `GET /containers/{id}/archive`: a path as a tar stream, with its stat. */
export async function getArchive(api: DockerTransport, id: string, path: string): Promise<PathArchive> {
  const res = await api.request({
    method: 'GET',
    path: `/containers/${encodeURIComponent(id)}/archive`,
    query: { path },
    subject: { kind: 'path', name: path, container: id },
  });
  const header = res.headers['x-docker-container-path-stat'];
  const raw = JSON.parse(Buffer.from(String(header ?? 'e30='), 'base64').toString('utf8')) as Partial<PathStat>;
  const stat: PathStat = {
    name: raw.name ?? '',
    size: raw.size ?? 0,
    mode: unixMode(raw.mode ?? 0),
    mtime: raw.mtime ?? '',
    linkTarget: raw.linkTarget ?? '',
  };
  return { stat, stream: res.body as Readable };
}
