/**
 * A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution 2.8)
 * listening on 127.0.0.1, with its storage in a throwaway temp dir.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import getPort from 'get-port';
import type { TokenAuthConfig } from './token-server.js';

const execFileAsync = promisify(execFile);

/** The registry binary; override with `BERTH_REGISTRY_BIN`. */
const REGISTRY_BIN = process.env.BERTH_REGISTRY_BIN ?? 'docker-registry';
/** How long {@link startRegistry} waits for `/v2/` to answer. */
const READY_TIMEOUT_MS = 10_000;
/** How long `stop()` waits after SIGTERM before it sends SIGKILL. */
const KILL_AFTER_MS = 2_000;
/** How much of the registry's output is kept for error messages. */
const OUTPUT_TAIL_CHARS = 4_000;
/** Attempts at starting, for the rare port taken between picking and binding it. */
const START_ATTEMPTS = 3;

/** Options for {@link startRegistry}. */
export interface StartRegistryOptions {
  /** Require HTTP basic auth with this one user (an htpasswd file made with `htpasswd -Bbn`). */
  htpasswd?: { user: string; password: string };
  /** Require Bearer tokens from this token server (see test/support/token-server.ts). */
  token?: TokenAuthConfig;
  /**
   * A test project's own registry, started by its global setup: its dir is
   * marked ({@link SUITE_REGISTRY_MARK}) so that another project's leak check,
   * which may end first, does not count it (its own teardown removes it).
   */
  suite?: boolean;
}

/** The file that marks a project's own registry dir. */
export const SUITE_REGISTRY_MARK = '.suite-registry';

/** A running registry started by {@link startRegistry}. */
export interface RegistryServer {
  /** `127.0.0.1:<port>`: the registry part of an image reference. */
  host: string;
  /** The port it listens on. */
  port: number;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** Its storage root (`rootdirectory`), inside a temp dir removed by `stop()`. */
  dataDir: string;
  /** Stops it (SIGTERM, SIGKILL after 2 s), waits for it to exit and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `docker-registry serve` on a free 127.0.0.1 port with a fresh config and
 * storage in a new temp dir, and resolves once `GET /v2/` answers (200, or 401 when
 * `htpasswd` or `token` is set). Rejects with the registry's output if it is not up within 10 s.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RegistryServer> {
  for (let attempt = 1; ; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
    if (options.suite) await writeFile(join(dir, SUITE_REGISTRY_MARK), '');
    try {
      return await startIn(dir, options);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      if (!(error instanceof PortInUseError) || attempt >= START_ATTEMPTS) throw error;
    }
  }
}

class PortInUseError extends Error {}

async function startIn(dir: string, options: StartRegistryOptions): Promise<RegistryServer> {
  const port = await getPort({ host: '127.0.0.1' });
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const dataDir = join(dir, 'data');
  const configPath = join(dir, 'config.yml');

  let auth = '';
  if (options.htpasswd) {
    const htpasswdPath = join(dir, 'htpasswd');
    await writeFile(htpasswdPath, await htpasswdLine(options.htpasswd.user, options.htpasswd.password));
    auth = ['auth:', '  htpasswd:', '    realm: berth-test', `    path: ${JSON.stringify(htpasswdPath)}`].join('\n');
  } else if (options.token) {
    const { realm, service, issuer, rootCertBundle } = options.token;
    auth = [
      'auth:',
      '  token:',
      ...Object.entries({ realm, service, issuer, rootcertbundle: rootCertBundle }).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
    ].join('\n');
  }
  await writeFile(configPath, registryConfig(host, dataDir, auth));

  const child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', () => {}); // reported by waitReady; later ones (a failed kill) are harmless
  // If the test process exits without stop(), do not leave the registry behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      await terminate(child);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    await waitReady(child, url, options.htpasswd || options.token ? [200, 401] : [200], () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, port, url, dataDir, stop };
}

/** The registry's config.yml: filesystem storage, deletes on, quiet, no health checks. */
function registryConfig(addr: string, dataDir: string, auth: string): string {
  return `version: 0.1
log:
  level: warn
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${JSON.stringify(dataDir)}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: ${JSON.stringify(addr)}
  secret: berth-test-registry
health:
  storagedriver:
    enabled: false
${auth}
`;
}

/** One bcrypt htpasswd line, as `htpasswd -Bbn` (apache2-utils) prints it. */
async function htpasswdLine(user: string, password: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('htpasswd', ['-Bbn', user, password]);
    return `${stdout.trim()}\n`;
  } catch (error) {
    throw new Error(`htpasswd -Bbn failed (is apache2-utils installed?): ${(error as Error).message}`);
  }
}

/** Polls `url/v2/` until it answers with one of `statuses`, the child exits, or time runs out. */
async function waitReady(child: ChildProcess, url: string, statuses: number[], output: () => string): Promise<void> {
  let exited: string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    exited ??= signal ? `was killed by ${signal}` : `exited with code ${code}`;
  };
  const onError = (error: Error): void => {
    exited ??= `could not be started: ${error.message}`;
  };
  child.once('close', onExit); // 'close' comes after the output is drained
  child.once('error', onError);
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (exited !== undefined) {
        const text = output();
        const message = `${REGISTRY_BIN} ${exited} before ${url}/v2/ answered\n${text}`;
        throw /address already in use/.test(text) ? new PortInUseError(message) : new Error(message);
      }
      try {
        const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) });
        await response.body?.cancel();
        if (statuses.includes(response.status)) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(50);
    }
    throw new Error(`${REGISTRY_BIN} did not answer ${url}/v2/ within ${READY_TIMEOUT_MS / 1000} s (last: ${last})\n${output()}`);
  } finally {
    child.removeListener('close', onExit);
    child.removeListener('error', onError);
  }
}

/** SIGTERM, then SIGKILL if it is still running after {@link KILL_AFTER_MS}; resolves once it has exited. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  try {
    await exit;
  } finally {
    clearTimeout(timer);
  }
}
