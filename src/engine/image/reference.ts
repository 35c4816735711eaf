import { InvalidReferenceError } from '../../errors.js';

/** Registry host used when a reference names none, as Docker does. */
export const DEFAULT_REGISTRY = 'docker.io';
/** Host Docker Hub's API actually lives at. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
/** Tag used when a reference names neither tag nor digest. */
export const DEFAULT_TAG = 'latest';

/** A parsed, normalised image reference. */
export interface ImageReference {
  /** Registry host with optional port, e.g. `docker.io` or `127.0.0.1:5000`. */
  readonly registry: string;
  /** Repository path, e.g. `library/busybox`. */
  readonly repository: string;
  /** Tag, when given or defaulted. Absent for digest-only references. */
  readonly tag: string | undefined;
  /** Digest (`sha256:…`) when pinned. */
  readonly digest: string | undefined;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*$/;
const IPV6 = /^\[[a-fA-F0-9:.]+\]$/;
const MAX_NAME = 255;

/**
 * Parses a reference such as `busybox`, `127.0.0.1:5000/library/busybox:1.36`
 * or `ghcr.io/o/r@sha256:…` the way Docker does: the first component is a
 * registry only when it contains `.` or `:`, or is `localhost`; Docker Hub
 * names get the `library/` namespace; a missing tag becomes `latest`.
 *
 * @throws {@link InvalidReferenceError} naming the bad part.
 */
export function parseReference(input: string): ImageReference {
  if (input.length === 0) throw new InvalidReferenceError(input, 'reference', 'is empty');
  if (input !== input.trim()) throw new InvalidReferenceError(input, 'reference', 'has surrounding whitespace');
  const [beforeDigest, digest, ...extra] = input.split('@');
  if (extra.length > 0) throw new InvalidReferenceError(input, 'digest', 'appears more than once');
  if (digest !== undefined && !DIGEST.test(digest)) {
    throw new InvalidReferenceError(input, `digest "${digest}"`, 'must be sha256: followed by 64 lowercase hex digits');
  }
  const { name, tag } = splitTag(input, beforeDigest ?? '');
  const { registry, path } = splitRegistry(input, name);
  validatePath(input, path);
  const repository = registry === DEFAULT_REGISTRY && !path.includes('/') ? `library/${path}` : path;
  return {
    registry,
    repository,
    tag: tag ?? (digest ? undefined : DEFAULT_TAG),
    digest,
  };
}

function splitTag(input: string, nameAndTag: string): { name: string; tag: string | undefined } {
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  if (colon <= slash) return { name: nameAndTag, tag: undefined };
  const tag = nameAndTag.slice(colon + 1);
  if (!TAG.test(tag)) {
    throw new InvalidReferenceError(input, `tag "${tag}"`, 'must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}');
  }
  return { name: nameAndTag.slice(0, colon), tag };
}

function splitRegistry(input: string, name: string): { registry: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isRegistry = first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first);
  if (!isRegistry) return { registry: DEFAULT_REGISTRY, path: name };
  validateRegistry(input, first);
  const registry = first === 'index.docker.io' ? DEFAULT_REGISTRY : first;
  return { registry, path: name.slice(slash + 1) };
}

function validateRegistry(input: string, registry: string): void {
  const portAt = registry.startsWith('[') ? registry.indexOf(']:') + 1 : registry.lastIndexOf(':');
  const host = portAt > 0 ? registry.slice(0, portAt) : registry;
  const port = portAt > 0 ? registry.slice(portAt + 1) : undefined;
  if (!HOST.test(host) && !IPV6.test(host)) {
    throw new InvalidReferenceError(input, `registry "${registry}"`, 'is not a valid host name');
  }
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) > 0 && Number(port) < 65536)) {
    throw new InvalidReferenceError(input, `registry port "${port}"`, 'must be a number from 1 to 65535');
  }
}

function validatePath(input: string, path: string): void {
  if (path.length === 0) throw new InvalidReferenceError(input, 'repository', 'is empty');
  if (path.length > MAX_NAME) throw new InvalidReferenceError(input, 'repository', `is longer than ${MAX_NAME}`);
  for (const component of path.split('/')) {
    if (!COMPONENT.test(component)) {
      throw new InvalidReferenceError(
        input,
        `repository component "${component}"`,
        'must be lowercase letters and digits, separated by ".", "_", "__" or "-"',
      );
    }
  }
}

/** Formats a reference back to its canonical, fully qualified string. */
export function formatReference(ref: ImageReference): string {
  const tag = ref.tag ? `:${ref.tag}` : '';
  const digest = ref.digest ? `@${ref.digest}` : '';
  return `${ref.registry}/${ref.repository}${tag}${digest}`;
}

/** The tag or digest to ask the registry for. */
export function referenceTarget(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG;
}

/** Host to contact for a registry name (Docker Hub's API host differs from its name). */
export function registryApiHost(registry: string): string {
  return registry === DEFAULT_REGISTRY ? DOCKER_HUB_API_HOST : registry;
}

/**
 * Whether a registry is spoken to over plain HTTP by default: `localhost`,
 * loopback (127.0.0.0/8, ::1), as Docker does.
 */
export function isInsecureByDefault(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.split(':')[0];
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host ?? '');
}
