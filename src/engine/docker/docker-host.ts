import * as fs from 'node:fs';
import { join } from 'node:path';
import { InvalidSpecError } from '../../errors.js';

/** TLS material for a `tcp://` daemon, as PEM text. */
export interface DockerTls {
  ca: string;
  cert: string;
  key: string;
}

/** Where the daemon listens: a unix socket, or TCP (plain or TLS). */
export type DockerHost = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number; tls?: DockerTls };

/** Options of {@link resolveDockerHost}; each defaults to Docker's environment variable. */
export interface DockerHostOptions {
  /** `unix:///path` or `tcp://host:port`; default `DOCKER_HOST`, else `unix:///var/run/docker.sock`. */
  host?: string;
  /** Verify the daemon and present a client certificate; default: `DOCKER_TLS_VERIFY` is set and not `0`. */
  tlsVerify?: boolean;
  /** Directory with `ca.pem`, `cert.pem` and `key.pem`; default `DOCKER_CERT_PATH`, else `~/.docker`. */
  certPath?: string;
}

const DEFAULT_SOCKET = 'unix:///var/run/docker.sock';

/** Reads the daemon's address the way the docker CLI does. */
export function resolveDockerHost(options: DockerHostOptions = {}, env: NodeJS.ProcessEnv = process.env): DockerHost {
  const address = options.host ?? (env.DOCKER_HOST || DEFAULT_SOCKET);
  if (address.startsWith('unix://')) return { kind: 'unix', socketPath: address.slice('unix://'.length) };
  const tcp = /^(?:tcp|https?):\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(address);
  if (!tcp?.[1] || !tcp[2]) {
    throw new InvalidSpecError(`unsupported Docker host "${address}"`, 'use unix:///path/to/docker.sock or tcp://host:port (DOCKER_HOST)');
  }
  const host = tcp[1].replace(/^\[|\]$/g, '');
  const verify =
    options.tlsVerify ?? (env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0');
  if (!verify) return { kind: 'tcp', host, port: Number(tcp[2]) };
  const dir = options.certPath ?? (env.DOCKER_CERT_PATH || join(env.HOME ?? '/root', '.docker'));
  return { kind: 'tcp', host, port: Number(tcp[2]), tls: readTls(dir) };
}

function readTls(dir: string): DockerTls {
  const read = (file: string): string => {
    try {
      return fs.readFileSync(join(dir, file), 'utf8');
    } catch (error) {
      throw new InvalidSpecError(
        `cannot read ${join(dir, file)} for TLS to the Docker daemon: ${(error as Error).message}`,
        'set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem',
      );
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

/** How the daemon is named in messages. */
export function describeHost(host: DockerHost): string {
  return host.kind === 'unix' ? `unix://${host.socketPath}` : `${host.tls ? 'tcp+tls' : 'tcp'}://${host.host}:${host.port}`;
}
