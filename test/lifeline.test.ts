import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { ContainerCgroup } from '../src/engine/cgroups/container-cgroup.js';
import { statePaths } from '../src/engine/paths.js';
import { readlinkOr } from '../src/engine/state/files.js';
import { LocalEngine } from '../src/index.js';
import { containerDirExists, eventually, mountsUnderState, processExists } from './support/leaks.js';

/** Runs test/support/owner-process.ts with `count` containers; it is killed when the test ends, whatever happened. */
function startOwner(count: number, volume = false): ChildProcessByStdio<null, Readable, null> {
  const args = [
    '--import',
    'tsx',
    'test/support/owner-process.ts',
    inject('fixtures').busybox,
    String(count),
    ...(volume ? ['volume'] : []),
  ];
  const owner = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  onTestFinished(() => {
    owner.kill('SIGKILL');
  });
  return owner;
}

describe('when the owning process dies', () => {
  it('SIGKILL of the owner leaves, within 2 s, no container process, mount or state', async () => {
    const owner = startOwner(3);
    const [line] = (await once(owner.stdout, 'data')) as [Buffer];
    const containers = JSON.parse(line.toString()) as { id: string; pid: number }[];
    expect(containers).toHaveLength(3);
    for (const c of containers) expect(processExists(c.pid)).toBe(true);

    owner.kill('SIGKILL');
    await once(owner, 'exit');
    const gone = await eventually(() => containers.every((c) => !processExists(c.pid) && !containerDirExists(c.id)), 2000);
    expect(gone).toBe(true);
    expect(mountsUnderState()).toEqual([]);
  });
});

/**
 * Starts an owner of one container (with an anonymous volume if `volume`),
 * kills it with SIGKILL and returns the container, its name and name link.
 */
async function killedOwnerOfOne(volume: boolean): Promise<{ container: { id: string; volumes: string[] }; name: string; link: string }> {
  const owner = startOwner(1, volume);
  const [line] = (await once(owner.stdout, 'data')) as [Buffer];
  const [container] = JSON.parse(line.toString()) as { id: string; volumes: string[] }[];
  if (!container) throw new Error('the owner started no container');
  const paths = statePaths();
  const { name } = JSON.parse(readFileSync(join(paths.containers, container.id, 'config.json'), 'utf8')) as { name: string };
  owner.kill('SIGKILL');
  await once(owner, 'exit');
  return { container, name, link: join(paths.containers, '.names', name) };
}

describe('names of containers that are gone', () => {
  it('a name the monitor left behind is swept by the next engine and can be taken again', async () => {
    const { container, name, link } = await killedOwnerOfOne(false);
    // The monitor removes the container's directory; its name link is what a crash leaves.
    expect(await eventually(() => !containerDirExists(container.id))).toBe(true);
    expect(readlinkOr(link)).toBe(container.id);

    const engine = new LocalEngine();
    expect(readlinkOr(link)).toBeUndefined();
    const id = await engine.createContainer({ image: inject('fixtures').busybox, name, command: ['true'] });
    onTestFinished(() => engine.removeContainer(id, { force: true }));
    expect(readlinkOr(link)).toBe(id);
  });

  it('an engine that starts while the monitor is still removing the container takes its name and volume once it is done', async () => {
    const { container, link } = await killedOwnerOfOne(true);
    const engine = new LocalEngine(); // At once: the monitor has yet to see its owner gone.
    expect(await eventually(() => !containerDirExists(container.id) && readlinkOr(link) === undefined, 5000)).toBe(true);
    expect(await eventually(async () => (await engine.listVolumes()).every((v) => !container.volumes.includes(v.Name)), 5000)).toBe(true);
  });
});

describe('creations that never finished', () => {
  it('a container directory without a config is left alone while young, swept with its name once a minute old', () => {
    const paths = statePaths();
    const id = randomBytes(32).toString('hex');
    const dir = join(paths.containers, id);
    const link = join(paths.containers, '.names', `half-made-${id.slice(0, 12)}`);
    mkdirSync(join(dir, 'upper'), { recursive: true });
    symlinkSync(id, link);
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(link, { force: true });
    });
    new LocalEngine();
    expect(existsSync(dir)).toBe(true);
    expect(readlinkOr(link)).toBe(id);
    const old = new Date(Date.now() - 120_000);
    utimesSync(dir, old, old);
    new LocalEngine();
    expect(existsSync(dir)).toBe(false);
    expect(readlinkOr(link)).toBeUndefined();
  });
});

describe('when both the owner and the monitor die', () => {
  it('the next engine to start sweeps the container dir and its cgroups', async () => {
    const owner = startOwner(1);
    const [line] = (await once(owner.stdout, 'data')) as [Buffer];
    const [container] = JSON.parse(line.toString()) as { id: string; pid: number }[];
    if (!container) throw new Error('the owner started no container');
    const monitor = JSON.parse(readFileSync(join(statePaths().containers, container.id, 'monitor.json'), 'utf8')) as {
      monitor: { pid: number };
    };
    process.kill(monitor.monitor.pid, 'SIGKILL');
    owner.kill('SIGKILL');
    await once(owner, 'exit');
    expect(await eventually(() => !processExists(container.pid))).toBe(true);
    const cgroup = ContainerCgroup.of(container.id);
    expect(containerDirExists(container.id)).toBe(true);

    new LocalEngine();
    expect(existsSync(join(statePaths().containers, container.id))).toBe(false);
    expect(await eventually(() => !containerDirExists(container.id))).toBe(true); // The trash empties in the background.
    expect(cgroup.dirs.filter((d) => existsSync(d))).toEqual([]);
  });
});

describe('cgroups of other state roots', () => {
  it('an empty berth cgroup no container here knows is left alone while young, swept once a minute old', () => {
    const cgroup = ContainerCgroup.of(randomBytes(32).toString('hex'));
    cgroup.create({});
    try {
      new LocalEngine();
      expect(cgroup.dirs.filter((d) => existsSync(d))).toEqual(cgroup.dirs);
      const old = new Date(Date.now() - 120_000);
      for (const dir of cgroup.dirs) utimesSync(dir, old, old);
      new LocalEngine();
      expect(cgroup.dirs.filter((d) => existsSync(d))).toEqual([]);
    } finally {
      cgroup.remove();
    }
  });
});
