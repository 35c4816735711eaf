import { CompositeWaitStrategy } from './composite-wait-strategy.js';
import { HealthCheckWaitStrategy } from './health-check-wait-strategy.js';
import { type HttpWaitOptions, HttpWaitStrategy } from './http-wait-strategy.js';
import { ListeningPortsWaitStrategy } from './listening-ports-wait-strategy.js';
import { LogWaitStrategy } from './log-wait-strategy.js';
import { OneShotStartupWaitStrategy } from './one-shot-wait-strategy.js';
import { SuccessfulCommandWaitStrategy } from './successful-command-wait-strategy.js';
import type { WaitStrategy } from './wait-strategy.js';

/**
 * Factory of wait strategies, as testcontainers' `Wait`. Each strategy takes
 * `.withStartupTimeout(ms)`, which applies unless the container sets its own.
 */
export const Wait = {
  /** Ready when the output contains `message` (string or regex) `times` times. */
  forLogMessage(message: string | RegExp, times = 1): LogWaitStrategy {
    return new LogWaitStrategy(message, times);
  },
  /** Ready when the container exited with code 0. */
  forOneShotStartup(): OneShotStartupWaitStrategy {
    return new OneShotStartupWaitStrategy();
  },
  /**
   * Ready when every published port listens inside the container (the
   * engine reads its /proc/net tables: see {@link Engine.portListening}) and,
   * for TCP, accepts a connection on `getHost()`:<mapped port>.
   */
  forListeningPorts(): ListeningPortsWaitStrategy {
    return new ListeningPortsWaitStrategy();
  },
  /** Ready when an HTTP request to `path` on the published `port` answers 200 (or as the predicates set). */
  forHttp(path: string, port: number | string, options: HttpWaitOptions = {}): HttpWaitStrategy {
    return new HttpWaitStrategy(path, port, options);
  },
  /** Ready when `command` (a shell string, or an argv) run in the container exits with 0. */
  forSuccessfulCommand(command: string | string[]): SuccessfulCommandWaitStrategy {
    return new SuccessfulCommandWaitStrategy(command);
  },
  /** Ready when the container's health check reports healthy; unhealthy fails at once. */
  forHealthCheck(): HealthCheckWaitStrategy {
    return new HealthCheckWaitStrategy();
  },
  /** Ready when all the given strategies are; bound the whole with `.withDeadline(ms)`. */
  forAll(strategies: WaitStrategy[]): CompositeWaitStrategy {
    return new CompositeWaitStrategy(strategies);
  },
};
