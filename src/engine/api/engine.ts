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
  /**
   * The host name or address at which published ports are reached: the
   * local engine's `127.0.0.1`; for a Docker daemon, `localhost` over a unix
   * socket, the daemon's host over TCP. (The SDK lets
   * `TESTCONTAINERS_HOST_OVERRIDE` win over it.)
   */
  hostAddress(): string;
  /**
   * Whether a socket inside the running container listens on `port`: TCP in
   * the LISTEN state, UDP bound. Each backend says how it looks (the local
   * engine reads the container's /proc tables from the host).
   */
  portListening(id: string, port: number, protocol: 'tcp' | 'udp'): Promise<boolean>;
  /** What this backend can do beyond the contract; the SDK asks before using any of it. */
  readonly capabilities?: EngineCapabilities;
}

/** Optional abilities of a backend ({@link Engine.capabilities}). */
export interface EngineCapabilities {
  /**
   * Serves, from this process too, the published ports of a running container
   * another process started (a reused one outlives its starter, and the
   * starter's port proxies die with it), for as long as the container runs.
   * Absent where the daemon publishes ports itself.
   */
  servePorts?(id: string): Promise<void>;
  /**
   * Runs `fn` holding the lock `key`, shared by every process of this host
   * that uses the backend (find-or-start of a reusable container). Without
   * it the SDK lets the container's name be the lock: the backend refuses a
   * second container of one name.
   */
  reuseLock?<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
