import type { ContainerSpec, ImageConfig } from '../api/index.js';

/** PATH a container gets when neither the image nor the user sets one (Docker's default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The argv Docker would run: a user entrypoint replaces the image's and drops
 * the image's Cmd; a user command replaces the image's Cmd.
 */
export function resolveArgv(spec: ContainerSpec, image: ImageConfig): string[] {
  const config = image.config ?? {};
  const entrypoint = spec.entrypoint ?? config.Entrypoint ?? [];
  const cmd = spec.command ?? (spec.entrypoint ? [] : (config.Cmd ?? []));
  return [...entrypoint, ...cmd];
}

/** Image environment overlaid with the user's, in the image's order; PATH and HOSTNAME always set, as Docker does. */
export function resolveEnv(spec: ContainerSpec, image: ImageConfig, hostname: string): string[] {
  const env = new Map<string, string>();
  for (const entry of image.config?.Env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [k, v] of Object.entries(spec.env ?? {})) env.set(k, v);
  if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH);
  if (!env.has('HOSTNAME')) env.set('HOSTNAME', hostname);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** Working directory: the user's, else the image's, else `/`. */
export function resolveWorkingDir(spec: ContainerSpec, image: ImageConfig): string {
  return spec.workingDir || image.config?.WorkingDir || '/';
}
