/**
 * Berth: throwaway containers for tests and dev scripts, without a Docker daemon.
 *
 * @packageDocumentation
 */

export type * from './engine/api/index.js';
export { type BerthConfig, loadConfig, type RegistryRetry, type RegistryTimeouts } from './engine/config.js';
export { DockerApiError, DockerUnavailableError } from './engine/docker/api-errors.js';
export { DockerEngine, type DockerEngineOptions } from './engine/docker/docker-engine.js';
export type { DockerHostOptions } from './engine/docker/docker-host.js';
export type { DockerSweepResult } from './engine/docker/owner.js';
export { formatReference, type ImageReference, parseReference } from './engine/image/reference.js';
export { LocalEngine, type LocalEngineOptions } from './engine/local/local-engine.js';
export * from './errors.js';
export { AbstractStartedContainer, AbstractStoppedContainer } from './sdk/abstract-started-container.js';
export { ContainerSnapshot, type SnapshotLauncher, type SnapshotOptions } from './sdk/container-snapshot.js';
export type { CopyToContainerOptions } from './sdk/copy-options.js';
export { getEngine, setEngine } from './sdk/engine-provider.js';
export { type BindMount, GenericContainer } from './sdk/generic-container.js';
export { berthGlobalSetup, type GlobalSetupFn } from './sdk/lifecycle/global-setup.js';
export { Scope, type Startable } from './sdk/lifecycle/scope.js';
export type { ContainerAttachment, LogOptions } from './sdk/log-lines.js';
export { NginxContainer, StartedNginxContainer, type StaticContent } from './sdk/modules/nginx-container.js';
export { PostgreSqlContainer, StartedPostgreSqlContainer } from './sdk/modules/postgresql-container.js';
export { RedisContainer, StartedRedisContainer } from './sdk/modules/redis-container.js';
export { Network, StartedNetwork, StoppedNetwork } from './sdk/network.js';
export type { ExposedPort } from './sdk/ports.js';
export { type ImagePullPolicy, PullPolicy } from './sdk/pull-policy.js';
export type { ResourcesQuota } from './sdk/resources-quota.js';
export {
  type ExecCommandOptions,
  type ExecCommandResult,
  type StartedContext,
  StartedGenericContainer,
  type StopOptions,
} from './sdk/started-container.js';
export { StoppedGenericContainer } from './sdk/stopped-container.js';
export type { StartedTestContainer, StoppedTestContainer, TestContainer } from './sdk/test-container.js';
export { TestContainers } from './sdk/test-containers.js';
export { AbstractWaitStrategy } from './sdk/wait/abstract-wait-strategy.js';
export { CompositeWaitStrategy } from './sdk/wait/composite-wait-strategy.js';
export { HealthCheckWaitStrategy } from './sdk/wait/health-check-wait-strategy.js';
export { DEFAULT_MAX_BODY_BYTES, type HttpWaitOptions, HttpWaitStrategy } from './sdk/wait/http-wait-strategy.js';
export { ListeningPortsWaitStrategy } from './sdk/wait/listening-ports-wait-strategy.js';
export { LogWaitStrategy } from './sdk/wait/log-wait-strategy.js';
export { IndefiniteWaitOneShotStartupWaitStrategy, OneShotStartupWaitStrategy } from './sdk/wait/one-shot-wait-strategy.js';
export { StartupCheckStrategy, type StartupStatus } from './sdk/wait/startup-check-strategy.js';
export { SuccessfulCommandWaitStrategy } from './sdk/wait/successful-command-wait-strategy.js';
export { Wait } from './sdk/wait/wait.js';
export type { WaitContext, WaitStrategy } from './sdk/wait/wait-strategy.js';
export type { ArchiveToCopy, ContentToCopy, CopyOwnership, DirectoryToCopy, FileToCopy } from './volumes/copy-sources.js';
