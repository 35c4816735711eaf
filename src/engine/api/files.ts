/** Options of {@link FileService.putArchive}. */
export interface ExtractOptions {
  /** Owner given to every entry instead of the archive's. */
  uid?: number;
  gid?: number;
}

/** What Docker's archive API reports about a path (`X-Docker-Container-Path-Stat`, whose casing it keeps). */
export interface PathStat {
  name: string;
  size: number;
  /** Unix type and permission bits (st_mode). */
  mode: number;
  mtime: string;
  /** For a symlink: where it points. */
  linkTarget: string;
}

/**
 * Bytes that can be let go of early: a Node `Readable` is one. Reading to
 * the end, or `destroy()`, releases what the stream holds (the container's
 * files, a connection to a daemon).
 */
export interface ByteStream extends AsyncIterable<Buffer> {
  /** Stops reading and releases the source. */
  destroy(error?: Error): void;
}

/** A path of a container as a tar stream, with the path's own stat. */
export interface PathArchive {
  stat: PathStat;
  stream: ByteStream;
}

/** The files part of the {@link Engine} contract: tar archives in and out of a container, like Docker's archive API. */
export interface FileService {
  /**
   * Extracts a tar stream into the directory `path` of a container, running or
   * not, like Docker's `PUT /containers/{id}/archive`.
   */
  putArchive(id: string, path: string, tar: AsyncIterable<Buffer>, options?: ExtractOptions): Promise<void>;
  /** A container path as a tar stream plus its stat, like Docker's `GET /containers/{id}/archive`. */
  getArchive(id: string, path: string): Promise<PathArchive>;
}
