import { testcontainersProperties } from '../engine/select/testcontainers-properties.js';

/**
 * The settings testcontainers users already have, read as testcontainers-node
 * reads them: the environment first, then `~/.testcontainers.properties`.
 * `TESTCONTAINERS_RYUK_DISABLED` is accepted and needs nothing: Berth has no
 * reaper container; each container's monitor removes it when its owner dies.
 */

/**
 * Whether `withReuse()` reuses: yes unless `TESTCONTAINERS_REUSE_ENABLE` is
 * `false`, or, without that variable, `testcontainers.reuse.enable=false` in
 * the properties file.
 */
export function reuseEnabled(): boolean {
  const env = process.env.TESTCONTAINERS_REUSE_ENABLE;
  if (env !== undefined) return env.trim().toLowerCase() !== 'false';
  return testcontainersProperties().get('testcontainers.reuse.enable')?.toLowerCase() !== 'false';
}

/**
 * Applies `TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX` to an image of Docker Hub
 * named without a registry, as testcontainers does: `redis:7` with the prefix
 * `mirror.local:5000/hub` becomes `mirror.local:5000/hub/redis:7`; a prefix
 * that is only a registry (`mirror.local:5000`) gives `mirror.local:5000/redis:7`.
 */
export function substituteImageName(image: string): string {
  const prefix = process.env.TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX?.trim();
  if (!prefix || hasRegistry(image)) return image;
  return `${prefix.replace(/\/+$/, '')}/${image}`;
}

/** Docker's rule: the first path component names a registry when it has a `.` or `:`, or is `localhost`. */
function hasRegistry(image: string): boolean {
  const slash = image.indexOf('/');
  if (slash < 0) return false;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}
