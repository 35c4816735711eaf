import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { statePaths } from '../src/engine/paths.js';
import {
  type ContainerSpec,
  ContainerStartError,
  GenericContainer,
  getEngine,
  InvalidMountError,
  LocalEngine,
  type MountSpec,
  VolumeInUseError,
  VolumeNotFoundError,
} from '../src/index.js';
import { hostileImage } from './support/hostile-image.js';
import { containerDirExists, eventually, mountsUnderState } from './support/leaks.js';
import { TempDirs } from './support/temp-dirs.js';

const busybox = (): string => inject('fixtures').busybox;
const tag = `${process.pid}-${Date.now().toString(36)}`;
const temp = new TempDirs('berth-vol-');
const hostDir = (): string => temp.make();

/** Runs `script` in a busybox container configured by `configure`; returns output and exit code, container removed. */
async function run(script: string, configure: (c: GenericContainer) => GenericContainer = (c) => c) {
  const container = await configure(new GenericContainer(busybox()).withCommand(['sh', '-c', script])).start();
  try {
    const { exitCode } = await container.wait();
    return { exitCode, output: await container.output(), id: container.getId() };
  } finally {
    await container.stop();
  }
}

/** Creates, runs to the end and removes a container from an engine-level spec. */
async function runSpec(spec: Omit<ContainerSpec, 'image'> & { image?: string }) {
  const engine = getEngine();
  const image = spec.image ?? (await engine.pullImage(busybox())).id;
  const id = await engine.createContainer({ ...spec, image });
  try {
    await engine.startContainer(id);
    const { exitCode } = await engine.waitContainer(id);
    let output = '';
    for await (const frame of await engine.containerLogs(id)) output += frame.data.toString();
    return { exitCode, output, id };
  } finally {
    await engine.removeContainer(id, { force: true });
  }
}

afterAll(async () => {
  temp.removeAll();
  expect(mountsUnderState()).toEqual([]);
});

describe('named volumes', () => {
  it('keeps data written by one container for the next', async () => {
    const name = `keep-${tag}`;
    const volume = { type: 'volume' as const, source: name, target: '/data' };
    const first = await run('echo persisted > /data/note; echo $$ > /data/pid', (c) => c.withMounts([volume]));
    expect(first.exitCode).toBe(0);
    const second = await run('cat /data/note', (c) => c.withMounts([volume]));
    expect(second.output).toBe('persisted\n');
    const info = await getEngine().inspectVolume(name);
    expect(info).toMatchObject({ Name: name, Driver: 'local', Scope: 'local' });
    expect(fs.readFileSync(join(info.Mountpoint, 'note'), 'utf8')).toBe('persisted\n');
    expect((await getEngine().listVolumes()).map((v) => v.Name)).toContain(name);
    await getEngine().removeVolume(name);
    await expect(getEngine().inspectVolume(name)).rejects.toBeInstanceOf(VolumeNotFoundError);
    expect(fs.existsSync(info.Mountpoint)).toBe(false);
  });

  it('copies the image content at the mount point into a new, empty volume, and only then', async () => {
    const name = `copyup-${tag}`;
    const engine = getEngine();
    const first = await run('cat /etc/passwd | head -1; echo changed > /etc/group', (c) =>
      c.withMounts([{ type: 'volume', source: name, target: '/etc' }]),
    );
    expect(first.output).toBe('root:x:0:0:root:/root:/bin/sh\n');
    const { Mountpoint } = await engine.inspectVolume(name);
    expect(fs.readFileSync(join(Mountpoint, 'passwd'), 'utf8')).toContain('root:x:0:0');
    // Not empty any more: a second container sees the volume as it was left, not the image's /etc.
    const second = await run('cat /etc/group', (c) => c.withMounts([{ type: 'volume', source: name, target: '/etc' }]));
    expect(second.output).toBe('changed\n');
    const noCopy = await run('ls -A /var/www | wc -l', (c) =>
      c.withMounts([{ type: 'volume', source: `${name}-nocopy`, target: '/var/www', noCopy: true }]),
    );
    expect(noCopy.output.trim()).toBe('0');
    await engine.removeVolume(name);
    await engine.removeVolume(`${name}-nocopy`);
  });

  it('refuses to remove a volume a container uses, and removes it once the container is gone', async () => {
    const engine = getEngine();
    const name = `inuse-${tag}`;
    const image = (await engine.pullImage(busybox())).id;
    const id = await engine.createContainer({ image, command: ['true'], mounts: [{ type: 'volume', source: name, target: '/data' }] });
    const error = await engine.removeVolume(name).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VolumeInUseError);
    expect((error as VolumeInUseError).containers).toHaveLength(1);
    await engine.removeContainer(id);
    await engine.removeVolume(name);
    await expect(engine.removeVolume(name)).rejects.toBeInstanceOf(VolumeNotFoundError);
  });

  it('gives image VOLUMEs anonymous volumes that go with the container unless kept', async () => {
    const engine = getEngine();
    const image = await hostileImage(`berth.local/volumes-image:${tag}`, {
      volumes: ['/srv/data'],
      files: { 'srv/data/seed': 'from image\n' },
    });
    const id = await engine.createContainer({
      image: image.id,
      command: ['sh', '-c', 'cat /srv/data/seed; grep -c " /srv/data " /proc/mounts'],
    });
    const volume = (await engine.inspectContainer(id)).Mounts[0]?.Name ?? '';
    await engine.startContainer(id);
    await engine.waitContainer(id);
    let output = '';
    for await (const frame of await engine.containerLogs(id)) output += frame.data.toString();
    expect(output).toBe('from image\n1\n');
    await engine.removeContainer(id);
    await expect(engine.inspectVolume(volume)).rejects.toBeInstanceOf(VolumeNotFoundError);

    const kept = await engine.createContainer({ image: image.id, command: ['true'] });
    const { Mounts } = await engine.inspectContainer(kept);
    expect(Mounts).toEqual([expect.objectContaining({ Type: 'volume', Destination: '/srv/data', RW: true })]);
    const anonymous = Mounts[0]?.Name ?? '';
    expect(anonymous).toMatch(/^[a-f0-9]{64}$/);
    await engine.removeContainer(kept, { keepVolumes: true });
    new LocalEngine(); // A kept volume is not an orphan: the next engine's sweep leaves it.
    expect((await engine.inspectVolume(anonymous)).Labels).toEqual({ 'berth.anonymous': 'true' });
    const sdk = await new GenericContainer(image.id).withCommand(['true']).start();
    const sdkVolume = (await sdk.inspect()).Mounts[0]?.Name ?? '';
    await sdk.stop({ removeVolumes: false });
    expect((await engine.inspectVolume(sdkVolume)).Name).toBe(sdkVolume);
    const pruned = await engine.pruneVolumes();
    expect(pruned.volumesDeleted).toContain(sdkVolume);
    expect(pruned.volumesDeleted).toContain(anonymous);
    expect(pruned.spaceReclaimed).toBeGreaterThanOrEqual('from image\n'.length);
    await engine.removeImage(image.id);
  });
});

describe('when the owner dies', () => {
  it('the next engine removes the anonymous volumes of containers its monitor cleaned up', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', 'test/support/owner-process.ts', busybox(), '1', 'volume'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(owner.stdout, 'data')) as [Buffer];
    const [container] = JSON.parse(line.toString()) as { id: string; volumes: string[] }[];
    const volume = container?.volumes[0] ?? '';
    expect(volume).toMatch(/^[a-f0-9]{64}$/);
    owner.kill('SIGKILL');
    await once(owner, 'exit');
    expect(await eventually(() => !containerDirExists(container?.id ?? ''), 2000)).toBe(true);
    expect(fs.existsSync(join(statePaths().volumes, volume))).toBe(true);
    // And what a create that crashed midway left: a staging dir named for its dead process.
    const staging = join(statePaths().volumes, `.new-crashed-${owner.pid}`);
    fs.mkdirSync(join(staging, '_data'), { recursive: true });
    new LocalEngine();
    expect(fs.existsSync(join(statePaths().volumes, volume))).toBe(false);
    expect(fs.existsSync(staging)).toBe(false);
  });
});

describe('bind mounts', () => {
  it('mounts a directory read-write and a file read-only', async () => {
    const dir = hostDir();
    fs.writeFileSync(join(dir, 'config'), 'setting=1\n');
    const rw = hostDir();
    const { output } = await run(
      'cat /etc/app.conf; echo x >> /etc/app.conf || echo RO-FILE; echo out > /out/result; grep -E " /(out|etc/app.conf) " /proc/mounts | cut -d" " -f2,4 | cut -d, -f1',
      (c) =>
        c.withBindMounts([
          { source: join(dir, 'config'), target: '/etc/app.conf', mode: 'ro' },
          { source: rw, target: '/out' },
        ]),
    );
    expect(output).toContain('setting=1\n');
    expect(output).toContain('RO-FILE\n');
    expect(output).toMatch(/^\/etc\/app\.conf ro$/m);
    expect(output).toMatch(/^\/out rw$/m);
    expect(fs.readFileSync(join(dir, 'config'), 'utf8')).toBe('setting=1\n');
    expect(fs.readFileSync(join(rw, 'result'), 'utf8')).toBe('out\n');
  });

  it('reports a bind source that vanished before start as a ContainerStartError at mount-bind', async () => {
    const engine = getEngine();
    const dir = hostDir();
    const image = (await engine.pullImage(busybox())).id;
    const id = await engine
      .createContainer({ image, command: ['true'], mounts: [{ type: 'bind', source: join(dir, 'gone'), target: '/x' }] })
      .catch((e: unknown) => e);
    expect(id).toBeInstanceOf(InvalidMountError);
    fs.mkdirSync(join(dir, 'gone'));
    const created = await engine.createContainer({
      image,
      command: ['true'],
      mounts: [{ type: 'bind', source: join(dir, 'gone'), target: '/x' }],
    });
    fs.rmdirSync(join(dir, 'gone'));
    try {
      const error = await engine.startContainer(created).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContainerStartError);
      expect(error).toMatchObject({ step: 'mount-bind', errno: 2 });
      expect((error as Error).message).toContain(join(dir, 'gone'));
    } finally {
      await engine.removeContainer(created);
    }
  });

  it('shows mounts in inspect like docker inspect', async () => {
    const dir = hostDir();
    const container = await new GenericContainer(busybox())
      .withCommand(['sleep', '100'])
      .withBindMounts([{ source: dir, target: '/host', mode: 'ro', propagation: 'rslave' }])
      .withTmpFs({ '/scratch': 'size=1m' })
      .start();
    try {
      const { Mounts } = await container.inspect();
      expect(Mounts).toEqual([
        { Type: 'bind', Source: dir, Destination: '/host', Mode: 'ro', RW: false, Propagation: 'rslave' },
        { Type: 'tmpfs', Source: '', Destination: '/scratch', Mode: '', RW: true, Propagation: '' },
      ]);
    } finally {
      await container.stop();
    }
  });

  it('passes host mounts made below an rslave bind into the running container', async () => {
    // The host's / is private here, so the test makes its own shared mount to bind from.
    const { native } = await import('../src/engine/native.js');
    const { MS_SHARED, MNT_DETACH } = native().constants;
    const shared = hostDir();
    native().mount('tmpfs', shared, 'tmpfs', 0, 'size=1m');
    try {
      native().mount(null, shared, null, MS_SHARED, null);
      fs.mkdirSync(join(shared, 'sub'));
      const container = await new GenericContainer(busybox())
        .withCommand(['sh', '-c', 'while [ ! -e /mnt/sub/arrived ]; do sleep 0.05; done; echo seen'])
        .withBindMounts([{ source: shared, target: '/mnt', propagation: 'rslave' }])
        .start();
      try {
        native().mount('tmpfs', join(shared, 'sub'), 'tmpfs', 0, 'size=1m');
        fs.writeFileSync(join(shared, 'sub', 'arrived'), '');
        const waited = await Promise.race([container.wait(), new Promise((r) => setTimeout(() => r('timeout'), 5000))]);
        expect(waited).toEqual({ exitCode: 0 });
        expect(await container.output()).toBe('seen\n');
      } finally {
        await container.stop();
        native().umount(join(shared, 'sub'), MNT_DETACH);
      }
    } finally {
      native().umount(shared, MNT_DETACH);
    }
  });
});

describe('tmpfs', () => {
  it('enforces the size and sets the mode', async () => {
    const { output } = await run(
      'stat -c %a /scratch; dd if=/dev/zero of=/scratch/fill bs=1024 count=2048 2>&1 | grep -o "No space left"; du -k /scratch/fill | cut -f1; grep " /scratch " /proc/mounts | cut -d" " -f4',
      (c) => c.withTmpFs({ '/scratch': 'size=1m,mode=0750' }),
    );
    const [mode, full, used, options] = output.trim().split('\n');
    expect(mode).toBe('750');
    expect(full).toBe('No space left');
    expect(Number(used)).toBeLessThanOrEqual(1024);
    expect(options).toContain('size=1024k');
    expect(options).toContain('noexec');
  });
});

describe('volumes-from', () => {
  it('backs a data container up to a host directory and restores it into a new volume', async () => {
    const engine = getEngine();
    const image = (await engine.pullImage(busybox())).id;
    const dataName = `data-${tag}`;
    const backup = hostDir();
    const data = await engine.createContainer({
      image,
      name: dataName,
      command: ['sh', '-c', 'mkdir -p /data/sub && echo one > /data/a && echo two > /data/sub/b && chmod 600 /data/a'],
      mounts: [{ type: 'volume', target: '/data' }],
    });
    try {
      await engine.startContainer(data);
      expect(await engine.waitContainer(data)).toEqual({ exitCode: 0 });
      const saved = await runSpec({
        volumesFrom: [dataName],
        mounts: [{ type: 'bind', source: backup, target: '/backup' }],
        command: ['tar', 'cvf', '/backup/backup.tar', '/data'],
      });
      expect(saved.exitCode).toBe(0);
      expect(fs.statSync(join(backup, 'backup.tar')).size).toBeGreaterThan(0);
      const restored = await runSpec({
        mounts: [
          { type: 'volume', target: '/data' },
          { type: 'bind', source: backup, target: '/backup', readOnly: true },
        ],
        command: ['sh', '-c', 'cd / && tar xf /backup/backup.tar && cat /data/a /data/sub/b && stat -c %a /data/a'],
      });
      expect(restored.output).toBe('one\ntwo\n600\n');
      const readOnly = await runSpec({ volumesFrom: [`${dataName}:ro`], command: ['sh', '-c', 'cat /data/a; touch /data/c || echo RO'] });
      expect(readOnly.output).toContain('one\n');
      expect(readOnly.output).toContain('RO\n');
    } finally {
      await engine.removeContainer(data, { force: true });
    }
  });
});

describe('hostile images and bad mounts', () => {
  it('mounts through an image symlink like /data -> /../../etc inside the rootfs, never on the host', async () => {
    const marker = `berth-hostile-${tag}`;
    const image = await hostileImage(`berth.local/hostile-mount:${tag}`, { symlinks: { data: '/../../etc', deep: '../../../../tmp' } });
    const dir = hostDir();
    fs.writeFileSync(join(dir, marker), 'bound\n');
    const { output } = await runSpec({
      image: image.id,
      mounts: [
        { type: 'bind', source: dir, target: `/data/${marker}-dir` },
        { type: 'tmpfs', target: `/deep/${marker}-tmp` },
      ],
      command: ['sh', '-c', `ls /etc/${marker}-dir; grep -c " /tmp/${marker}-tmp " /proc/mounts`],
    });
    expect(output).toBe(`${marker}\n1\n`);
    expect(fs.existsSync(`/etc/${marker}-dir`)).toBe(false);
    expect(fs.existsSync(`/tmp/${marker}-tmp`)).toBe(false);
    await getEngine().removeImage(image.id);
  });

  it('rejects a missing bind source, relative or climbing targets, and bad tmpfs options, creating nothing', async () => {
    const engine = getEngine();
    const image = (await engine.pullImage(busybox())).id;
    const before = (await engine.listVolumes()).length;
    const attempts: ContainerSpec['mounts'][] = [
      [{ type: 'bind', source: '/no/such/berth/source', target: '/x' }],
      [{ type: 'bind', source: 'relative/source', target: '/x' }],
      [{ type: 'volume', source: `never-${tag}`, target: 'data' }],
      [
        { type: 'volume', source: `never-${tag}`, target: '/ok' },
        { type: 'tmpfs', target: '/../../etc' },
      ],
      [{ type: 'tmpfs', target: '/' }],
      [
        { type: 'tmpfs', target: '/a' },
        { type: 'tmpfs', target: '/a/' },
      ],
      [{ type: 'npipe', target: '/pipe' } as unknown as MountSpec],
    ];
    for (const mounts of attempts) {
      await expect(engine.createContainer({ image, command: ['true'], mounts })).rejects.toBeInstanceOf(InvalidMountError);
    }
    expect(() => new GenericContainer(busybox()).withTmpFs({ '/t': 'size=lots' })).toThrow(InvalidMountError);
    expect((await engine.listVolumes()).length).toBe(before);
    await expect(engine.createVolume({ name: '../escape' })).rejects.toMatchObject({ code: 'INVALID_VOLUME_NAME' });
    const error = await engine.createContainer({ image, command: ['true'], mounts: attempts[0] }).catch((e: unknown) => e);
    expect((error as InvalidMountError).message).toContain('/no/such/berth/source');
    expect((error as InvalidMountError).hint).toBeDefined();
  });
});
