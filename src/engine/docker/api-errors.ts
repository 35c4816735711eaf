import {
  BerthError,
  ContainerNotFoundError,
  ContainerPathError,
  ContainerStateError,
  EngineUnavailableError,
  ImageNotPresentError,
  NetworkError,
  NetworkNotFoundError,
  VolumeInUseError,
  VolumeNotFoundError,
} from '../../errors.js';

/** What a request was about, so a daemon error becomes the right typed error. */
export type ApiSubject =
  | { kind: 'container' | 'image' | 'network' | 'volume' | 'exec'; name: string }
  /** A path inside a container (archive calls): 404 is the path's, unless the container is missing. */
  | { kind: 'path'; name: string; container: string }
  | { kind: 'daemon' };

/** An answer of the Docker daemon no more specific Berth error describes; `status` is the HTTP status. */
export class DockerApiError extends BerthError {
  constructor(
    readonly status: number,
    message: string,
    hint?: string,
  ) {
    super('DOCKER_API', `Docker daemon: ${message} (HTTP ${status})`, hint ? { hint } : {});
  }
}

/** The daemon could not be reached, or speaks an API version Berth cannot use. */
export class DockerUnavailableError extends EngineUnavailableError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('DOCKER_UNAVAILABLE', message, {
      hint: options.hint ?? 'start the Docker daemon, or point DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) at one',
      cause: options.cause,
    });
  }
}

const NOT_FOUND: Record<string, (name: string) => BerthError> = {
  container: (name) => new ContainerNotFoundError(name),
  image: (name) => new ImageNotPresentError(name),
  network: (name) => new NetworkNotFoundError(name),
  volume: (name) => new VolumeNotFoundError(name),
};

/**
 * The typed error for a daemon answer: 404 is the subject's not-found error,
 * 409 a state conflict (name in use, not running, volume in use), anything
 * else a {@link DockerApiError}; each carries the daemon's own message.
 */
export function apiError(status: number, message: string, subject: ApiSubject): BerthError {
  if (status === 404 && subject.kind === 'path') {
    if (/no such container/i.test(message)) return new ContainerNotFoundError(subject.container);
    return new ContainerPathError(subject.name, message);
  }
  if (status === 404 && subject.kind !== 'daemon') {
    // A create names the container but fails for its image: trust the message.
    if (/no such image/i.test(message)) return new ImageNotPresentError(message.replace(/^no such image:\s*/i, ''));
    const make = NOT_FOUND[subject.kind];
    if (make) return make(subject.name);
  }
  if (status === 400 && subject.kind === 'path') return new ContainerPathError(subject.name, message);
  if (status === 409) {
    if (subject.kind === 'volume') return new VolumeInUseError(subject.name, containersIn(message));
    if (subject.kind === 'network')
      return new NetworkError(`Docker daemon: ${message}`, { hint: 'remove or disconnect the containers on it first' });
    return new ContainerStateError(`Docker daemon: ${message}`, 'check the container state, or choose another name');
  }
  if (status === 304) return new ContainerStateError(`Docker daemon: nothing to do for ${subject.kind}`);
  return new DockerApiError(status, message);
}

function containersIn(message: string): string[] {
  return [...message.matchAll(/\[([0-9a-f]{12,64})\]/g)].map((m) => m[1] as string);
}

/** The message of an error body (`{"message": …}`), or the body itself. */
export function daemonMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string };
    if (parsed.message) return parsed.message;
  } catch {
    // Not JSON: use it as it is.
  }
  return body.trim() || 'no message';
}
