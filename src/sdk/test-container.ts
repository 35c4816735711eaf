import type { GenericContainer } from './generic-container.js';
import type { StartedGenericContainer, StopOptions } from './started-container.js';
import type { StoppedGenericContainer } from './stopped-container.js';

/**
 * What every started container offers, as testcontainers' `StartedTestContainer`:
 * {@link StartedGenericContainer} and {@link AbstractStartedContainer} (the
 * base of modules) both have it, so code typed against testcontainers' name works.
 */
export type StartedTestContainer = StartedSurface & {
  /** Stops (and by default removes) the container; resolves to the stopped container. */
  stop(options?: StopOptions): Promise<StoppedTestContainer>;
};

type StartedSurface = Pick<
  StartedGenericContainer,
  | 'getId'
  | 'getName'
  | 'getHostname'
  | 'getLabels'
  | 'getHost'
  | 'getMappedPort'
  | 'getFirstMappedPort'
  | 'getNetworkNames'
  | 'getNetworkId'
  | 'getIpAddress'
  | 'inspect'
  | 'logs'
  | 'output'
  | 'exec'
  | 'attach'
  | 'attachStdin'
  | 'copyFilesToContainer'
  | 'copyDirectoriesToContainer'
  | 'copyContentToContainer'
  | 'copyArchiveToContainer'
  | 'copyArchiveFromContainer'
  | 'copyFileFromContainer'
  | 'archive'
  | 'wait'
  | 'restart'
  | 'commit'
  | 'snapshot'
  | typeof Symbol.asyncDispose
>;

/** What `stop()` resolves to, as testcontainers' `StoppedTestContainer`. */
export type StoppedTestContainer = Pick<StoppedGenericContainer, 'getId' | 'copyArchiveFromContainer'>;

/** A container to start, as testcontainers' `TestContainer` (the builder). */
export type TestContainer = GenericContainer;
