import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerHostOptions } from '../docker/docker-host.js';
import { testcontainersProperties } from './testcontainers-properties.js';

/** One place a Docker daemon may be found, and what was found there. */
export interface DockerCandidate {
  /** Where it was looked, for messages, e.g. `DOCKER_HOST` or `/var/run/docker.sock`. */
  where: string;
  /** How to reach the daemon found there; undefined when nothing is there (not set, no socket). */
  options: DockerHostOptions | undefined;
}

/** Whatever the environment and files say, in the order testcontainers-node tries them. */
interface Lookup {
  env: NodeJS.ProcessEnv;
  properties: Map<string, string>;
  home: string;
  uid: number;
}

type Strategy = (lookup: Lookup) => DockerCandidate[];

/** `DOCKER_HOST`, with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` (read by DockerEngine from the environment). */
const fromEnvironment: Strategy = ({ env }) => [{ where: 'DOCKER_HOST', options: env.DOCKER_HOST ? {} : undefined }];

/**
 * `tc.host` (Testcontainers Desktop and Cloud), then `docker.host` with
 * `docker.tls.verify` and `docker.cert.path`, in ~/.testcontainers.properties.
 */
const fromProperties: Strategy = ({ properties, home }) => {
  const file = join(home, '.testcontainers.properties');
  const tls = {
    tlsVerify: properties.get('docker.tls.verify') === '1' || properties.get('docker.tls.verify') === 'true',
    ...(properties.get('docker.cert.path') ? { certPath: properties.get('docker.cert.path') } : {}),
  };
  const at = (key: string): DockerCandidate => {
    const host = properties.get(key);
    return { where: `${key} in ${file}`, options: host ? { host, ...tls } : undefined };
  };
  return [at('tc.host'), at('docker.host')];
};

/** A unix socket, when the file is there. */
function socket(path: string): DockerCandidate {
  return { where: path, options: existsSync(path) ? { host: `unix://${path}`, tlsVerify: false } : undefined };
}

const rootfulSocket: Strategy = () => [socket('/var/run/docker.sock')];

/** Rootless dockerd and Docker Desktop's sockets. */
const rootlessSockets: Strategy = ({ env, home, uid }) => [
  ...(env.XDG_RUNTIME_DIR ? [socket(join(env.XDG_RUNTIME_DIR, 'docker.sock'))] : []),
  socket(join(home, '.docker', 'run', 'docker.sock')),
  socket(join(home, '.docker', 'desktop', 'docker.sock')),
  socket(`/run/user/${uid}/docker.sock`),
];

/** The discovery strategies, first to last. */
const STRATEGIES: Strategy[] = [fromEnvironment, fromProperties, rootfulSocket, rootlessSockets];

/**
 * Every place a Docker daemon is looked for, in order, each with how to
 * reach the daemon there (or undefined). Synchronous and cheap: environment,
 * one properties file and a few `stat`s; whether a daemon answers is for
 * the caller to try.
 */
export function dockerCandidates(env: NodeJS.ProcessEnv = process.env): DockerCandidate[] {
  const lookup: Lookup = { env, properties: testcontainersProperties(), home: homedir(), uid: process.getuid?.() ?? 0 };
  const seen = new Set<string>();
  return STRATEGIES.flatMap((strategy) => strategy(lookup)).filter((candidate) => {
    // One socket reached two ways (XDG_RUNTIME_DIR is /run/user/<uid>) is tried once.
    if (seen.has(candidate.where)) return false;
    seen.add(candidate.where);
    return true;
  });
}
