import type { ContainerService } from './containers.js';
import type { ExecService } from './exec.js';
import type { FileService } from './files.js';
import type { ImageService } from './images.js';
import type { LogService } from './logs.js';
import type { NetworkService } from './networks.js';
import type { VolumeService } from './volumes.js';

/**
 * The seam between the SDK and whatever runs containers: one service per
 * resource. The local, daemonless engine implements it, and so does the
 * Docker Engine API backend. Records follow the Docker Engine API (and its
 * PascalCase) so both map naturally; options are camelCase.
 */
export interface Engine extends ImageService, ContainerService, ExecService, LogService, NetworkService, VolumeService, FileService {
  /** Short name for messages, e.g. `local`. */
  readonly name: string;
}
