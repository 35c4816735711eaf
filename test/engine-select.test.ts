/**
 * Backend selection: BERTH_ENGINE, the local engine where it can run, else
 * a Docker daemon found as testcontainers-node finds one, else one
 * NoEngineError naming every place looked. Real processes: the fallback
 * runs as `nobody` (no root, so no local engine), with its own HOME.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../src/engine/select/select-engine.js';
import { DockerEngine, LocalEngine, NoEngineError } from '../src/index.js';

/** Runs `script` (ESM, importing ./src/index.ts) as `nobody`; returns what it printed. */
function runAsNobody(script: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(
    'setpriv',
    ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8', cwd: process.cwd(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('backend selection', () => {
  let home = '';
  let deadPort = 0;

  beforeAll(async () => {
    home = fs.mkdtempSync(join(tmpdir(), 'berth-select-'));
    fs.chmodSync(home, 0o755);
    // A port that was free a moment ago: nothing answers there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    deadPort = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    fs.writeFileSync(join(home, '.testcontainers.properties'), `docker.host=tcp://127.0.0.1:${deadPort}\n`);
  });
  afterAll(() => {
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('takes BERTH_ENGINE, else the local engine here (root, Linux, overlay, native parts built)', () => {
    expect(chooseBackend({ BERTH_ENGINE: 'docker' })).toEqual({ name: 'docker' });
    expect(chooseBackend({ BERTH_ENGINE: 'LOCAL' })).toEqual({ name: 'local' });
    expect(chooseBackend({})).toEqual({ name: 'local' });
    expect(() => chooseBackend({ BERTH_ENGINE: 'podman' })).toThrow(NoEngineError);
  });

  it('without root and without a daemon that answers, fails with NoEngineError naming every place looked', () => {
    const script = `
      import { getEngine } from './src/index.ts';
      try {
        await getEngine().listContainers();
        process.stdout.write('no error');
      } catch (error) {
        process.stdout.write(JSON.stringify({ name: error.name, code: error.code, looked: error.looked, hint: error.hint }));
      }
    `;
    const missing = join(home, 'no-such.sock');
    const run = runAsNobody(script, { HOME: home, XDG_RUNTIME_DIR: home, DOCKER_HOST: `unix://${missing}` });
    expect(run.status, run.stderr).toBe(0);
    const error = JSON.parse(run.stdout) as { name: string; code: string; looked: string[]; hint: string };
    expect(error).toMatchObject({ name: 'NoEngineError', code: 'NO_ENGINE' });
    const where = error.looked.map((line) => line.slice(0, line.indexOf(': ')));
    expect(where).toEqual([
      'local engine',
      'DOCKER_HOST',
      `tc.host in ${join(home, '.testcontainers.properties')}`,
      `docker.host in ${join(home, '.testcontainers.properties')}`,
      '/var/run/docker.sock',
      join(home, 'docker.sock'),
      join(home, '.docker', 'run', 'docker.sock'),
      join(home, '.docker', 'desktop', 'docker.sock'),
      '/run/user/65534/docker.sock',
    ]);
    expect(error.looked[0]).toContain('needs root');
    expect(error.looked[1]).toContain(missing);
    expect(error.looked[3]).toContain('ECONNREFUSED');
    expect(error.hint).toMatch(/DOCKER_HOST/);
  });

  it("gives the host published ports are reached at: the local relays' loopback, a Docker daemon's host", () => {
    expect(new LocalEngine().hostAddress()).toBe('127.0.0.1');
    expect(new DockerEngine({ host: 'unix:///var/run/docker.sock' }).hostAddress()).toBe('localhost');
    expect(new DockerEngine({ host: 'tcp://203.0.113.7:2376', tlsVerify: false }).hostAddress()).toBe('203.0.113.7');
  });
});
