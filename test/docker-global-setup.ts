/**
 * Global setup of the `sdk-docker` project: a Docker daemon for the SDK
 * tests (the system dockerd, started with bench/start-dockerd.sh unless one
 * answers), and after the run the Docker side of the leak check: nothing
 * labelled with a Berth owner (`berth.owner`) whose process is gone may be
 * left on the daemon (owners still alive are other runs').
 */
import { execFileSync } from 'node:child_process';
import { Pool } from 'undici';
import { OWNER_LABEL, ownerIsDead } from '../src/engine/docker/owner.js';
import { eventually } from './support/leaks.js';

/** GET of the daemon's API, parsed. */
async function get<T>(pool: Pool, path: string): Promise<T> {
  const res = await pool.request({ method: 'GET', path });
  return (await res.body.json()) as T;
}

type Labelled = { Labels: Record<string, string> | null };

/**
 * Owned containers, networks and volumes whose owner died, read with the
 * plain API: a DockerEngine would sweep them away before it answered.
 */
async function deadOwnersLeft(pool: Pool): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [OWNER_LABEL] }));
  const dead = (r: Labelled): boolean => ownerIsDead(r.Labels ?? {});
  const containers = await get<(Labelled & { Id: string; Names: string[] })[]>(pool, `/containers/json?all=1&filters=${filters}`);
  const networks = await get<(Labelled & { Name: string })[]>(pool, `/networks?filters=${filters}`);
  const { Volumes } = await get<{ Volumes: (Labelled & { Name: string })[] | null }>(pool, `/volumes?filters=${filters}`);
  return [
    ...containers.filter(dead).map((c) => `container ${c.Names[0]} (${c.Id.slice(0, 12)})`),
    ...networks.filter(dead).map((n) => `network ${n.Name}`),
    ...(Volumes ?? []).filter(dead).map((v) => `volume ${v.Name}`),
  ];
}

/** The daemon the project's DOCKER_HOST names (vitest.config.ts). */
const SOCKET = '/var/run/docker.sock';

export default async function setup(): Promise<() => Promise<void>> {
  execFileSync('bash', ['bench/start-dockerd.sh'], { stdio: 'inherit' });
  return async () => {
    const pool = new Pool('http://docker', { socketPath: SOCKET });
    let left: string[] = [];
    try {
      const clean = async (): Promise<boolean> => {
        left = await deadOwnersLeft(pool);
        return left.length === 0;
      };
      await eventually(clean, 15_000, 250);
    } finally {
      await pool.close();
    }
    if (left.length === 0) return;
    process.exitCode = 1;
    throw new Error(`the test run left on the Docker daemon:\n  ${left.join('\n  ')}`);
  };
}
