import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RegistryError } from '../../errors.js';
import type { RegistryCredentials } from '../api/index.js';
import { DEFAULT_REGISTRY } from './reference.js';

/** The parts of Docker's `config.json` that carry credentials. */
interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Docker Hub's key in `auths` and for credential helpers. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const HELPER_TIMEOUT_MS = 10_000;

/**
 * Finds credentials for `registry` the way the Docker CLI does, in
 * `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`): a
 * registry-specific `credHelpers` entry, else the `credsStore` helper, else
 * `auths`. Returns undefined when there are none (anonymous access).
 */
export async function dockerCredentials(registry: string): Promise<RegistryCredentials | undefined> {
  const config = readConfig();
  if (!config) return undefined;
  const key = registry === DEFAULT_REGISTRY ? DOCKER_HUB_KEY : registry;
  const helper = config.credHelpers?.[registry] ?? config.credHelpers?.[key] ?? config.credsStore;
  if (helper) {
    const fromHelper = await askHelper(helper, key);
    if (fromHelper) return fromHelper;
  }
  return fromAuths(config, registry, key);
}

function readConfig(): DockerConfigFile | undefined {
  const dir = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  let text: string;
  try {
    text = fs.readFileSync(join(dir, 'config.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch (cause) {
    throw new RegistryError(`${join(dir, 'config.json')} is not valid JSON`, undefined, {
      hint: 'fix or remove the Docker config file',
      cause,
    });
  }
}

function fromAuths(config: DockerConfigFile, registry: string, key: string): RegistryCredentials | undefined {
  const auths = config.auths ?? {};
  const entry = auths[key] ?? auths[registry] ?? auths[`https://${registry}`] ?? auths[`http://${registry}`];
  if (!entry) return undefined;
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new RegistryError(`the Docker config's auth for ${registry} is not base64 of user:password`, undefined);
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Runs `docker-credential-<helper> get` with the server URL on stdin. */
function askHelper(helper: string, server: string): Promise<RegistryCredentials | undefined> {
  return new Promise((resolve, reject) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: HELPER_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) {
        // Helpers say "credentials not found" on stderr/stdout with exit 1: that is no credentials, not a failure.
        if (/credentials not found/i.test(`${stdout}${stderr}`)) return resolve(undefined);
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        return reject(
          new RegistryError(`credential helper docker-credential-${helper} failed: ${stderr.trim() || error.message}`, undefined, {
            hint: missing ? `install docker-credential-${helper} or remove it from the Docker config` : 'check the credential helper',
          }),
        );
      }
      try {
        const { Username, Secret } = JSON.parse(stdout) as { Username?: string; Secret?: string };
        resolve(Username && Secret ? { username: Username, password: Secret } : undefined);
      } catch (cause) {
        reject(new RegistryError(`credential helper docker-credential-${helper} printed no JSON`, undefined, { cause }));
      }
    });
    child.stdin?.end(server);
  });
}
