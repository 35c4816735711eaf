import type { ExtractOptions } from '../engine/api/index.js';

/** How files are copied into a container, as testcontainers' `CopyToContainerOptions` (Docker's archive API options). */
export interface CopyToContainerOptions {
  /** `false`: root owns what is copied, as Docker does without the option; unset or `true`: the archive's owners stay. */
  copyUIDGID?: boolean;
  /** Accepted: Berth never replaces a directory with a non-directory or the other way round. */
  noOverwriteDirNonDir?: boolean;
}

/** The engine's extraction options for testcontainers' copy options. */
export function extractOptions(options: CopyToContainerOptions): ExtractOptions {
  return options.copyUIDGID === false ? { uid: 0, gid: 0 } : {};
}
