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
  if (Object.keys(info.NetworkSettings.Ports).length > 0) return new ListeningPortsWaitStrategy();
  return undefined;
}
