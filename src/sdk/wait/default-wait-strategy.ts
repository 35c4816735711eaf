import type { ContainerInfo } from '../../engine/api/index.js';
import { HealthCheckWaitStrategy } from './health-check-wait-strategy.js';
import { ListeningPortsWaitStrategy } from './listening-ports-wait-strategy.js';
import type { WaitStrategy } from './wait-strategy.js';

/**
 * What `start()` waits for when no strategy was set, as testcontainers
 * chooses: the health check when the container has one, else its published
 * ports listening, else nothing.
 */
export function defaultWaitStrategy(info: ContainerInfo): WaitStrategy | undefined {
  if (info.State.Health) return new HealthCheckWaitStrategy();
  // The ports asked for: a daemon lists no NetworkSettings.Ports for a container that already exited,
  // and lists an image's EXPOSEd ports there unbound (null), which nobody asked to wait for.
  const published = [info.HostConfig.PortBindings, info.NetworkSettings.Ports].some(hasBinding);
  return published ? new ListeningPortsWaitStrategy() : undefined;
}

function hasBinding(ports: Record<string, unknown[] | null | undefined> | null | undefined): boolean {
  return Object.values(ports ?? {}).some((bindings) => (bindings?.length ?? 0) > 0);
}
