import { join } from 'node:path';

/**
 * Where the local engine keeps its state. Everything lives below one root
 * named for Berth so it can be found and removed:
 *
 * - `blobs/sha256/<hex>`: content-addressed blobs (manifests, configs; layer
 *   blobs only with `keepLayerBlobs`, or for a layer its files cannot rebuild)
 * - `layers/<chainId hex>/diff`: unpacked layers, shared between images, each
 *   with `meta.json` (its diff id and the blobs known to hold it) and
 *   `tar-skeleton.gz` (what rebuilds its tar from `diff`)
 * - `images/<config hex>.json`: image records; `refs/`: tags pointing at them
 * - `containers/<id>/`: each container's writable layer, logs and status
 * - `volumes/<name>/_data`: named and anonymous volumes
 * - `tmp/`: staging for downloads and unpacks (same filesystem, for rename)
 */
export interface StatePaths {
  readonly root: string;
  readonly blobs: string;
  readonly layers: string;
  readonly images: string;
  readonly refs: string;
  readonly containers: string;
  readonly volumes: string;
  readonly tmp: string;
  readonly locks: string;
}

/** Default state root; overridden by `BERTH_ROOT`. */
export const DEFAULT_ROOT = '/var/lib/berth';

/** Builds the state layout below `root` (default: `$BERTH_ROOT` or /var/lib/berth). */
export function statePaths(root: string = process.env.BERTH_ROOT ?? DEFAULT_ROOT): StatePaths {
  return {
    root,
    blobs: join(root, 'blobs', 'sha256'),
    layers: join(root, 'layers'),
    images: join(root, 'images'),
    refs: join(root, 'refs'),
    containers: join(root, 'containers'),
    volumes: join(root, 'volumes'),
    tmp: join(root, 'tmp'),
    locks: join(root, 'locks'),
  };
}

/**
 * Host-wide state every engine on the machine shares, whatever its state
 * root: networks, and locks such as the one per reusable container
 * (`$BERTH_NET_ROOT`, default /run/berth).
 */
export function hostRunDir(): string {
  return process.env.BERTH_NET_ROOT ?? '/run/berth';
}

/** The hex part of a `sha256:<hex>` digest. */
export function digestHex(digest: string): string {
  const hex = digest.startsWith('sha256:') ? digest.slice(7) : digest;
  if (!/^[a-f0-9]{64}$/.test(hex)) throw new Error(`not a sha256 digest: ${digest}`);
  return hex;
}
