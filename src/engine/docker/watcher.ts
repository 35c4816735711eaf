import { type ChildProcess, spawn } from 'node:child_process';
import type { DockerHost } from './docker-host.js';
import { OWNER_LABEL, TEMPORARY_LABEL } from './owner.js';

/** What the watcher reads from its stdin before it waits for the owner to go. */
interface WatcherConfig {
  host: DockerHost;
  version: string;
  owner: string;
}

/**
 * The watcher's program. Plain JavaScript run with `node -e`, so it needs no
 * TypeScript loader and no file of the package: it reads its config line,
 * waits for EOF on stdin (the owner's end of the pipe closes when the owner
 * dies, however it dies), then removes the owner's containers (with their
 * anonymous volumes), networks and volumes, then its temporary images that
 * no container uses, and exits.
 */
const WATCHER_SOURCE = String.raw`
const http = require('node:http');
const https = require('node:https');
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => { cleanup(JSON.parse(input.split('\n')[0])).finally(() => process.exit(0)); });
process.stdin.on('error', () => undefined);
function call(cfg, method, path) {
  return new Promise((resolve) => {
    const h = cfg.host;
    const options = { method, path: '/v' + cfg.version + path, headers: { Host: 'docker' } };
    if (h.kind === 'unix') options.socketPath = h.socketPath;
    else Object.assign(options, { host: h.host, port: h.port }, h.tls || {});
    const req = (h.kind === 'tcp' && h.tls ? https : http).request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => { try { resolve(JSON.parse(body)); } catch { resolve(undefined); } });
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
async function cleanup(cfg) {
  const filters = encodeURIComponent(JSON.stringify({ label: ['${OWNER_LABEL}=' + cfg.owner] }));
  const containers = (await call(cfg, 'GET', '/containers/json?all=1&filters=' + filters)) || [];
  await Promise.all(containers.map((c) => call(cfg, 'DELETE', '/containers/' + c.Id + '?force=1&v=1')));
  const networks = (await call(cfg, 'GET', '/networks?filters=' + filters)) || [];
  await Promise.all(networks.map((n) => call(cfg, 'DELETE', '/networks/' + n.Id)));
  const volumes = ((await call(cfg, 'GET', '/volumes?filters=' + filters)) || {}).Volumes || [];
  await Promise.all(volumes.map((v) => call(cfg, 'DELETE', '/volumes/' + encodeURIComponent(v.Name))));
  const temporary = encodeURIComponent(JSON.stringify({ label: ['${TEMPORARY_LABEL}=' + cfg.owner] }));
  const images = (await call(cfg, 'GET', '/images/json?filters=' + temporary)) || [];
  for (const image of Array.isArray(images) ? images : []) {
    const users = await call(cfg, 'GET', '/containers/json?all=1&filters=' + encodeURIComponent(JSON.stringify({ ancestor: [image.Id] })));
    // One a container still uses (another process's) stays: the sweep of a later engine tries again.
    if (Array.isArray(users) && users.length === 0) await call(cfg, 'DELETE', '/images/' + image.Id + '?force=1');
  }
}
`;

/** The argument that marks a watcher's command line, followed by its owner's id. */
export const WATCHER_ARG = 'berth-docker-watcher';

/**
 * Starts the watcher of this process's resources on a daemon: a detached
 * node process holding the read end of a pipe whose write end only this
 * process has. Neither the process nor the pipe keeps this one alive.
 */
export function startWatcher(config: WatcherConfig): ChildProcess {
  const child = spawn(process.execPath, ['-e', WATCHER_SOURCE, WATCHER_ARG, config.owner], {
    detached: true, // Its own session: a terminal's ^C to the owner's group does not reach it.
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Certificates go through the pipe, not the command line other users can read.
  child.stdin?.write(`${JSON.stringify(config)}\n`);
  child.stdin?.on('error', () => undefined);
  child.on('error', () => undefined); // The sweep of the next engine is the fallback.
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child.unref();
  return child;
}
