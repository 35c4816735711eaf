/**
 * Typed errors raised by Berth. Every error carries a stable `code` and a
 * `hint` that tells the user what to do next.
 *
 * @packageDocumentation
 */

/** Options shared by every {@link BerthError}. */
export interface BerthErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  /** The lower-level error that caused this one. */
  cause?: unknown;
}

/** Base class of every error Berth raises on purpose. */
export class BerthError extends Error {
  /** Stable machine-readable code, e.g. `INVALID_REFERENCE`. */
  readonly code: string;
  /** What the user can do about it, when Berth knows. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: BerthErrorOptions = {}) {
    super(options.hint ? `${message}\n  hint: ${options.hint}` : message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** An image reference could not be parsed; `part` names the offending piece. */
export class InvalidReferenceError extends BerthError {
  constructor(
    readonly reference: string,
    readonly part: string,
    detail: string,
  ) {
    super('INVALID_REFERENCE', `invalid image reference "${reference}": ${part} ${detail}`, {
      hint: 'use the form [registry[:port]/]repository[:tag][@sha256:<64 hex>], e.g. "127.0.0.1:5000/library/busybox:latest"',
    });
  }
}

/** A registry answered with an error, or could not be reached. */
export class RegistryError extends BerthError {
  constructor(
    message: string,
    readonly status: number | undefined,
    options: BerthErrorOptions = {},
  ) {
    super('REGISTRY_ERROR', message, options);
  }
}

/** Where a registry request stalled: connecting, uploading a body, waiting for the answer's headers, or reading its body. */
export type RegistryStallStep = 'connect' | 'upload' | 'headers' | 'body';

/**
 * A registry (or its token server, or where it redirected to) stalled past a
 * timeout of `registryTimeouts` in the config: `server` (host:port) at
 * `step` of `request` (e.g. `GET /v2/library/busybox/blobs/sha256:…`).
 * Raised after the retry policy gave up on the stall.
 */
export class RegistryTimeoutError extends RegistryError {
  override readonly code = 'REGISTRY_TIMEOUT';

  constructor(
    /** Who stalled, as a person reads it: `registry 127.0.0.1:5000`, `token server 127.0.0.1:5001 for registry …`. */
    readonly server: string,
    readonly step: RegistryStallStep,
    /** Method and path of the request that stalled. */
    readonly request: string,
    detail: string,
  ) {
    super(`${server} stalled ${detail} (${request})`, undefined, {
      hint: 'check that the server is up and the network to it works; if it is only slow, raise "registryTimeouts" in the Berth config (README "Configuration")',
    });
  }
}

/** The registry does not have the image (or the tag) that was asked for. */
export class ImageNotFoundError extends BerthError {
  constructor(
    readonly reference: string,
    detail: string,
  ) {
    super('IMAGE_NOT_FOUND', `image "${reference}" not found: ${detail}`, {
      hint: 'check the repository name and tag, and that the image was pushed to that registry',
    });
  }
}

/** A multi-platform image has no variant for the platform asked for; `available` lists those it has. */
export class PlatformNotAvailableError extends BerthError {
  constructor(
    readonly reference: string,
    readonly platform: string,
    readonly available: string[],
  ) {
    super('PLATFORM_NOT_AVAILABLE', `image "${reference}" has no ${platform} variant (it offers: ${available.join(', ') || 'none'})`, {
      hint: 'choose one of the offered platforms with withPlatform() or the pull option platform, or build the image for this one',
    });
  }
}

/** Pulling an image failed; `cause` holds the underlying error. */
export class ImagePullError extends BerthError {
  constructor(
    readonly reference: string,
    cause: unknown,
  ) {
    // The cause's hint becomes ours (once, at the end of the message).
    const hint = cause instanceof BerthError ? cause.hint : undefined;
    const suffix = hint ? `\n  hint: ${hint}` : '';
    let reason = cause instanceof Error ? cause.message : String(cause);
    if (suffix && reason.endsWith(suffix)) reason = reason.slice(0, -suffix.length);
    super('IMAGE_PULL_FAILED', `pulling "${reference}" failed: ${reason}`, { cause, ...(hint ? { hint } : {}) });
  }
}

/** Downloaded content did not match the digest it was asked for. */
export class DigestMismatchError extends BerthError {
  constructor(
    readonly expected: string,
    readonly actual: string,
    what: string,
  ) {
    super('DIGEST_MISMATCH', `${what}: expected ${expected}, got ${actual}`, {
      hint: 'the registry or a proxy served corrupt content; retry, or check the registry storage',
    });
  }
}

/** A layer archive is malformed or tries to write outside its directory. */
export class LayerError extends BerthError {
  constructor(
    message: string,
    readonly entry?: string,
  ) {
    super('BAD_LAYER', message, {
      hint: 'the image contains a corrupt or hostile layer; rebuild the image or use a trusted one',
    });
  }
}

/** The image is not in the local store and the pull policy forbids pulling. */
export class ImageNotPresentError extends BerthError {
  constructor(readonly reference: string) {
    super('IMAGE_NOT_PRESENT', `image "${reference}" is not in the local store`, {
      hint: 'pull it first, or use a pull policy that allows pulling',
    });
  }
}

/** The native parts of Berth are missing or unusable on this machine. */
export class NativeUnavailableError extends BerthError {
  constructor(message: string, options: BerthErrorOptions = {}) {
    super('NATIVE_UNAVAILABLE', message, options);
  }
}

/**
 * The engine's backend cannot be reached, or went away in the middle of a
 * call (a Docker daemon that died): nothing the SDK waits for can succeed,
 * so a wait ends with this error at once rather than at its timeout.
 */
export class EngineUnavailableError extends BerthError {}

/** A container could not be set up; `step` and `errno` come from the native helper. */
export class ContainerStartError extends BerthError {
  constructor(
    readonly containerId: string,
    readonly step: string,
    readonly errno: number,
    detail: string,
    hint?: string,
  ) {
    super('CONTAINER_START_FAILED', `container ${containerId.slice(0, 12)} failed at ${step}: ${detail}`, {
      ...(hint ? { hint } : {}),
    });
  }
}

/** The container's command could not be executed (missing or not executable). */
export class ContainerExecError extends ContainerStartError {
  constructor(containerId: string, errno: number, detail: string) {
    super(containerId, 'exec', errno, detail, 'check the command/entrypoint and that the executable exists in the image and is in PATH');
  }
}

/** The container's user or group is not in the image's /etc/passwd or /etc/group. */
export class ContainerUserError extends ContainerStartError {
  constructor(containerId: string, errno: number, detail: string) {
    super(containerId, 'user', errno, detail, 'use a user the image defines, or numeric uid:gid');
  }
}

/**
 * A container spec (or a builder call) holds a value the engine cannot use;
 * `field` names it (e.g. `resources.memory`, `env`, `command[0]`) when known.
 */
export class InvalidSpecError extends BerthError {
  constructor(
    message: string,
    hint: string,
    readonly field?: string,
  ) {
    super('INVALID_SPEC', message, { hint });
  }
}

/** No container with that id or name is known to the engine. */
export class ContainerNotFoundError extends BerthError {
  constructor(readonly idOrName: string) {
    super('CONTAINER_NOT_FOUND', `no such container: ${idOrName}`);
  }
}

/** An operation is not valid in the container's current state. */
export class ContainerStateError extends BerthError {
  constructor(message: string, hint?: string) {
    super('CONTAINER_STATE', message, hint ? { hint } : {});
  }
}

/** Berth needs privileges it does not have (e.g. not running as root). */
export class PermissionError extends BerthError {
  constructor(message: string, hint: string) {
    super('PERMISSION_DENIED', message, { hint });
  }
}

/** A container did not become ready within its startup timeout. */
export class StartupTimeoutError extends BerthError {
  /**
   * @param summary what timed out in testcontainers' words (e.g. `Log message "ready" not received after 1000ms`);
   *   the message starts with it.
   */
  constructor(
    readonly strategy: string,
    readonly waitedMs: number,
    readonly lastLogLines: string[],
    summary = `container was not ready after ${waitedMs} ms`,
  ) {
    super('STARTUP_TIMEOUT', `${summary} (waiting for ${strategy})${formatLogTail(lastLogLines)}`, {
      hint: 'check the last log lines above; raise withStartupTimeout() if the service is just slow, or fix the wait strategy',
    });
  }
}

/** A wait strategy found the container can never become ready (e.g. it exited). */
export class WaitStrategyError extends BerthError {
  constructor(
    readonly strategy: string,
    detail: string,
    readonly lastLogLines: string[],
  ) {
    super('NOT_READY', `container never became ready (${strategy}): ${detail}${formatLogTail(lastLogLines)}`, {
      hint: 'the container failed while starting: read its last log lines above',
    });
  }
}

function formatLogTail(lines: string[]): string {
  return lines.length > 0 ? `\n  last log lines:\n${lines.map((l) => `    ${l.trimEnd()}`).join('\n')}` : '';
}

/** A network could not be created, found or changed. */
export class NetworkError extends BerthError {
  constructor(message: string, options: BerthErrorOptions = {}) {
    super('NETWORK_ERROR', message, options);
  }
}

/** No network with that name is known. */
export class NetworkNotFoundError extends BerthError {
  constructor(readonly network: string) {
    super('NETWORK_NOT_FOUND', `no such network: ${network}`, { hint: 'create it first (engine.createNetwork or new Network().start())' });
  }
}

/** A published host port is taken by another process; nothing was shadowed and nothing was left behind. */
export class PortInUseError extends BerthError {
  constructor(
    readonly hostIp: string,
    readonly hostPort: number,
    readonly protocol: string,
  ) {
    super('PORT_IN_USE', `host port ${hostIp}:${hostPort}/${protocol} is already in use`, {
      hint: 'choose another host port, or let Berth pick a free one (publish the container port without a host port)',
    });
  }
}

/** No volume with that name exists. */
export class VolumeNotFoundError extends BerthError {
  constructor(readonly volume: string) {
    super('VOLUME_NOT_FOUND', `no such volume: ${volume}`, { hint: 'create it first (createVolume), or check the name' });
  }
}

/** A volume cannot be removed while a container (running or not) refers to it. */
export class VolumeInUseError extends BerthError {
  constructor(
    readonly volume: string,
    readonly containers: string[],
  ) {
    super('VOLUME_IN_USE', `volume ${volume} is in use by container ${containers.join(', ')}`, {
      hint: 'remove the containers that use it first',
    });
  }
}

/** A mount (bind, volume or tmpfs) is malformed, hostile or refers to something missing. */
export class InvalidMountError extends BerthError {
  constructor(
    readonly target: string,
    detail: string,
    hint?: string,
  ) {
    super('INVALID_MOUNT', `mount on ${target}: ${detail}`, hint ? { hint } : {});
  }
}

/** Copying into or out of a container failed: the path is missing, not a directory, or the archive is bad. */
export class ContainerPathError extends BerthError {
  constructor(
    readonly path: string,
    detail: string,
    options: BerthErrorOptions = {},
  ) {
    super('CONTAINER_PATH', `${path}: ${detail}`, options);
  }
}

/** An image archive or layout (docker-archive, oci-archive, OCI directory) is malformed, incomplete or hostile. */
export class ArchiveError extends BerthError {
  constructor(message: string, options: BerthErrorOptions = {}) {
    super('BAD_ARCHIVE', message, {
      ...options,
      hint:
        options.hint ??
        'the archive is corrupt, truncated or not an image archive: write it again with saveImages(), `docker save` or `skopeo copy`',
    });
  }
}

/** `useBerth()` of `berth/jest` was called where jest's hooks are not defined. */
export class JestHooksUnavailableError extends BerthError {
  constructor(readonly missing: string[]) {
    super('JEST_HOOKS_UNAVAILABLE', `useBerth() needs jest's ${missing.join(', ')}, which are not defined here`, {
      hint:
        "call useBerth() at the top of a jest test file or inside describe(); with injectGlobals: false pass jest's hooks: " +
        "useBerth({ beforeAll, afterAll, beforeEach, afterEach }) imported from '@jest/globals'",
    });
  }
}

/**
 * A layer in the local store cannot give back its tar (for a push or a
 * save): its unpacked files changed since it was unpacked, or its content is
 * gone (a layer kept only unpacked, without the record it is rebuilt from).
 */
export class StoredLayerError extends BerthError {
  constructor(
    readonly chainId: string,
    detail: string,
    options: BerthErrorOptions = {},
  ) {
    super('STORED_LAYER', `layer ${chainId} in the store: ${detail}`, {
      ...options,
      hint:
        options.hint ??
        'the store copy of the layer is damaged: remove the image (removeImage, then pruneImages) and pull or load it again',
    });
  }
}

/**
 * No engine to run containers with: `BERTH_ENGINE` names none Berth has, or
 * the local engine cannot run here and no Docker daemon answered. `looked`
 * lists every place tried and what was found there.
 */
export class NoEngineError extends BerthError {
  constructor(
    message: string,
    readonly looked: string[],
    hint = 'run as root on Linux for the local engine; or start Docker (or Docker Desktop), or set DOCKER_HOST (with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for TLS) or docker.host in ~/.testcontainers.properties; BERTH_ENGINE=local|docker forces a backend',
  ) {
    super('NO_ENGINE', looked.length > 0 ? `${message}; looked at:\n  ${looked.join('\n  ')}` : message, { hint });
  }
}
