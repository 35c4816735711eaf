import * as fs from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readTar } from '../src/engine/image/tar-reader.js';
import { ContainerPathError, GenericContainer, getEngine, type StartedTestContainer } from '../src/index.js';
import { spool } from '../src/volumes/spool.js';
import { hostileImage } from './support/hostile-image.js';
import { eventually, mountsUnderState } from './support/leaks.js';
import { buildTar, chunked } from './support/tar-builder.js';
import { TempDirs } from './support/temp-dirs.js';

const busybox = (): string => inject('fixtures').busybox;
const tag = `${process.pid}-${Date.now().toString(36)}`;
const temp = new TempDirs('berth-copy-');
const hostDir = (): string => temp.make();

/** An entry of a tar stream, content included. */
interface Listed {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  linkpath: string;
  data: string;
}

async function list(stream: AsyncIterable<Buffer> | NodeJS.ReadableStream): Promise<Listed[]> {
  const entries: Listed[] = [];
  for await (const { entry, body } of readTar(stream as AsyncIterable<Buffer>)) {
    let data = '';
    for await (const chunk of body) data += chunk.toString();
    entries.push({ path: entry.path, type: entry.type, mode: entry.mode, uid: entry.uid, gid: entry.gid, linkpath: entry.linkpath, data });
  }
  return entries;
}

/** Output of a container once it exited. */
async function finished(container: StartedTestContainer): Promise<string> {
  await container.wait();
  return container.output();
}

afterAll(() => {
  temp.removeAll();
  expect(mountsUnderState()).toEqual([]);
});

describe('copy into a container before it starts', () => {
  it('copies files, directories, content and archives with their modes and owners', async () => {
    const src = hostDir();
    fs.writeFileSync(join(src, 'run.sh'), '#!/bin/sh\necho ran\n');
    fs.mkdirSync(join(src, 'site/css'), { recursive: true });
    fs.writeFileSync(join(src, 'site/index.html'), '<h1>hi</h1>\n');
    fs.writeFileSync(join(src, 'site/css/a.css'), 'body{}\n');
    const archive = buildTar([
      { path: 'pkg/', type: '5', mode: 0o750, uid: 1000, gid: 1000 },
      { path: 'pkg/data.bin', data: 'archived\n', mode: 0o604, uid: 1000, gid: 1000 },
    ]);
    await using container = await new GenericContainer(busybox())
      .withCommand([
        'sh',
        '-c',
        'cd / && /app/run.sh && stat -c "%n %a %u:%g" / /app/run.sh /srv/site/index.html /srv/site/css/a.css /etc/app/conf /tmp/stream.txt /var/www/pkg /var/www/pkg/data.bin && cat /etc/app/conf /tmp/stream.txt /var/www/pkg/data.bin',
      ])
      .withCopyFilesToContainer([{ source: join(src, 'run.sh'), target: '/app/run.sh', mode: 0o755 }])
      .withCopyDirectoriesToContainer([{ source: join(src, 'site'), target: '/srv/site' }])
      .withCopyContentToContainer([
        { content: 'key=value\n', target: '/etc/app/conf', mode: 0o600, uid: 1000, gid: 1000 },
        { content: Readable.from([Buffer.from('streamed '), Buffer.from('content\n')]), target: '/tmp/stream.txt' },
      ])
      .withCopyArchivesToContainer([{ tar: chunked(archive), target: '/var/www' }])
      .start();
    const hostMode = (fs.statSync(join(src, 'site/index.html')).mode & 0o777).toString(8);
    expect(await finished(container)).toBe(
      [
        'ran',
        '/ 755 0:0',
        '/app/run.sh 755 0:0',
        `/srv/site/index.html ${hostMode} 0:0`,
        `/srv/site/css/a.css ${hostMode} 0:0`,
        '/etc/app/conf 600 1000:1000',
        '/tmp/stream.txt 644 0:0',
        '/var/www/pkg 750 1000:1000',
        '/var/www/pkg/data.bin 604 1000:1000',
        'key=value',
        'streamed content',
        'archived',
        '',
      ].join('\n'),
    );
  });

  it('fails to start, leaving nothing, when an archive names a directory that does not exist', async () => {
    const name = `copy-missing-${tag}`;
    const error = await new GenericContainer(busybox())
      .withName(name)
      .withCommand(['true'])
      .withCopyArchivesToContainer([{ tar: chunked(buildTar([{ path: 'x', data: 'x' }])), target: '/no/such/dir' }])
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerPathError);
    expect((error as ContainerPathError).path).toBe('/no/such/dir');
    await expect(getEngine().inspectContainer(name)).rejects.toThrow(/no such container/);
  });
});

describe('copy into and out of a running container', () => {
  it('copies content, files and archives in while it runs', async () => {
    const src = hostDir();
    fs.writeFileSync(join(src, 'later.txt'), 'file content\n');
    await using container = await new GenericContainer(busybox())
      .withCommand([
        'sh',
        '-c',
        'while [ ! -e /work/go ]; do sleep 0.05; done; cat /work/note /work/later.txt /work/arch/a; stat -c %a /work/note',
      ])
      .start();
    await expect(container.copyContentToContainer([{ content: 'note\n', target: '/work/note', mode: 0o640 }])).resolves.toBeUndefined();
    await container.copyFilesToContainer([{ source: join(src, 'later.txt'), target: '/work/later.txt' }]);
    await container.copyArchiveToContainer(chunked(buildTar([{ path: 'arch/a', data: 'from archive\n' }])), '/work');
    await container.copyContentToContainer([{ content: '', target: '/work/go' }]);
    expect(await finished(container)).toBe('note\nfile content\nfrom archive\n640\n');
  });

  it('copies a directory out as a tar stream, named like Docker, with modes, owners, links', async () => {
    await using container = await new GenericContainer(busybox())
      .withCommand([
        'sh',
        '-c',
        'mkdir -p /out/sub && echo one > /out/a && chmod 640 /out/a && chown 1000:1000 /out/a && ln -s a /out/link && ln /out/a /out/sub/hard && mkfifo /out/fifo && touch /out/ready && sleep 100',
      ])
      .start();
    const pid = (await container.inspect()).State.Pid;
    expect(await eventually(() => fs.existsSync(`/proc/${pid}/root/out/ready`), 5000)).toBe(true);
    const entries = await list(await container.copyArchiveFromContainer('/out'));
    expect(entries.map((e) => e.path)).toEqual(['out/', 'out/a', 'out/fifo', 'out/link', 'out/ready', 'out/sub/', 'out/sub/hard']);
    expect(entries.find((e) => e.path === 'out/a')).toMatchObject({ type: 'file', mode: 0o640, uid: 1000, gid: 1000, data: 'one\n' });
    expect(entries.find((e) => e.path === 'out/link')).toMatchObject({ type: 'symlink', linkpath: 'a' });
    expect(entries.find((e) => e.path === 'out/sub/hard')).toMatchObject({ type: 'hardlink', linkpath: 'out/a' });
    expect(entries.find((e) => e.path === 'out/fifo')).toMatchObject({ type: 'fifo' });

    const contents = await list(await container.copyArchiveFromContainer('/out/.'));
    expect(contents.map((e) => e.path)).toContain('sub/hard');
    const file = await container.archive('/out/a');
    expect(file.stat).toMatchObject({ name: 'a', size: 4, mode: 0o100640, linkTarget: '' });
    expect(await list(file.stream)).toEqual([expect.objectContaining({ path: 'a', data: 'one\n' })]);
    const copied = join(hostDir(), 'a.txt');
    await container.copyFileFromContainer('/out/a', copied);
    expect(fs.readFileSync(copied, 'utf8')).toBe('one\n');
    expect(fs.statSync(copied).mode & 0o777).toBe(0o640);
    await expect(container.copyFileFromContainer('/out/sub', copied)).rejects.toThrow(/not a regular file/);
    const whole = (await list(await container.copyArchiveFromContainer('/'))).map((e) => e.path);
    expect(whole).toEqual(expect.arrayContaining(['proc/', 'sys/', 'out/a', 'bin/busybox']));
    expect(whole.filter((p) => p.startsWith('proc/') || p.startsWith('sys/'))).toEqual(['proc/', 'sys/']);
    const link = await container.archive('/out/link');
    expect(link.stat.linkTarget).toBe('a');
    link.stream.destroy();
    await expect(container.archive('/out/missing')).rejects.toBeInstanceOf(ContainerPathError);
  });
});

describe('copy round trip', () => {
  it('keeps modes, owners, setuid bits, symlinks and hardlinks from putArchive to getArchive', async () => {
    const engine = getEngine();
    const image = (await engine.pullImage(busybox())).id;
    const id = await engine.createContainer({ image, command: ['sh', '-c', 'stat -c "%n %a %u:%g" /rt/d /rt/d/f /rt/d/suid'] });
    try {
      const tar = buildTar([
        { path: 'd/', type: '5', mode: 0o751, uid: 1234, gid: 5678 },
        { path: 'd/f', data: 'payload', mode: 0o640, uid: 1234, gid: 5678 },
        { path: 'd/suid', data: '#!/bin/sh\n', mode: 0o4755, uid: 0, gid: 0 },
        { path: 'd/l', type: '2', linkpath: 'f', uid: 1234, gid: 5678 },
        { path: 'd/h', type: '1', linkpath: 'd/f' },
      ]);
      // Not started yet: the files go into the container's writable layer through a view.
      await engine.putArchive(id, '/tmp', chunked(tar));
      await engine.putArchive(id, '/', chunked(buildTar([{ path: 'rt/', type: '5', mode: 0o755 }])));
      await engine.putArchive(id, '/rt', (await engine.getArchive(id, '/tmp/d')).stream);
      const back = await list((await engine.getArchive(id, '/rt/d')).stream);
      expect(back).toEqual([
        { path: 'd/', type: 'directory', mode: 0o751, uid: 1234, gid: 5678, linkpath: '', data: '' },
        { path: 'd/f', type: 'file', mode: 0o640, uid: 1234, gid: 5678, linkpath: '', data: 'payload' },
        { path: 'd/h', type: 'hardlink', mode: 0o640, uid: 1234, gid: 5678, linkpath: 'd/f', data: '' },
        { path: 'd/l', type: 'symlink', mode: 0o777, uid: 1234, gid: 5678, linkpath: 'f', data: '' },
        { path: 'd/suid', type: 'file', mode: 0o4755, uid: 0, gid: 0, linkpath: '', data: '#!/bin/sh\n' },
      ]);
      await engine.startContainer(id);
      await engine.waitContainer(id);
      let output = '';
      for await (const frame of await engine.containerLogs(id)) output += frame.data.toString();
      expect(output).toBe('/rt/d 751 1234:5678\n/rt/d/f 640 1234:5678\n/rt/d/suid 4755 0:0\n');
      // And from the exited container, again through a view; a stream left unread blocks nothing.
      expect((await list((await engine.getArchive(id, '/rt/d/f')).stream))[0]?.data).toBe('payload');
      await engine.getArchive(id, '/rt/d');
      expect(mountsUnderState()).toEqual([]);
    } finally {
      await engine.removeContainer(id, { force: true });
    }
  });

  it('copies into a stopped container’s named volume and reads it back', async () => {
    const engine = getEngine();
    const image = (await engine.pullImage(busybox())).id;
    const volume = `copyvol-${tag}`;
    const id = await engine.createContainer({ image, command: ['true'], mounts: [{ type: 'volume', source: volume, target: '/vol' }] });
    try {
      await engine.putArchive(id, '/vol', chunked(buildTar([{ path: 'in-volume', data: 'kept\n' }])));
      const { Mountpoint } = await engine.inspectVolume(volume);
      expect(fs.readFileSync(join(Mountpoint, 'in-volume'), 'utf8')).toBe('kept\n');
    } finally {
      await engine.removeContainer(id);
      await engine.removeVolume(volume);
    }
  });

  it('reports a stopped container whose files cannot be mounted, and holds nothing afterwards', async () => {
    const engine = getEngine();
    const source = join(hostDir(), 'bound');
    fs.mkdirSync(source);
    const image = (await engine.pullImage(busybox())).id;
    const id = await engine.createContainer({ image, command: ['true'], mounts: [{ type: 'bind', source, target: '/b' }] });
    fs.rmdirSync(source);
    const error = await engine.putArchive(id, '/', chunked(buildTar([{ path: 'x', data: 'x' }]))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerPathError);
    expect((error as Error).message).toContain('mount-bind');
    await engine.removeContainer(id);
  });

  it('refuses to copy into a read-only bind mount or onto a file', async () => {
    const ro = hostDir();
    await using container = await new GenericContainer(busybox())
      .withCommand(['sleep', '100'])
      .withBindMounts([{ source: ro, target: '/ro', mode: 'ro' }])
      .start();
    const error = await container.copyArchiveToContainer(chunked(buildTar([{ path: 'x', data: 'x' }])), '/ro').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerPathError);
    expect((error as Error).message).toMatch(/read-only/i);
    expect(fs.readdirSync(ro)).toEqual([]);
    await expect(container.copyArchiveToContainer(chunked(buildTar([{ path: 'x', data: 'x' }])), '/etc/passwd')).rejects.toThrow(
      /not a directory/,
    );
  });
});

describe('spooling an archive read from a stopped container', () => {
  it('keeps small archives in memory and spills big ones to an unlinked file, byte for byte', async () => {
    const dir = hostDir();
    const parts = Array.from({ length: 20 }, (_, i) => Buffer.alloc(1000, i));
    for (const limit of [1 << 20, 4096]) {
      const replay = await spool(Readable.from(parts), dir, limit);
      const back: Buffer[] = [];
      for await (const chunk of replay) back.push(chunk as Buffer);
      expect(Buffer.concat(back).equals(Buffer.concat(parts))).toBe(true);
      expect(fs.readdirSync(dir)).toEqual([]);
    }
  });
});

describe('hostile images and archives', () => {
  it('never writes or reads the host through symlinks in the image', async () => {
    const marker = `berth-evil-${tag}`;
    const image = await hostileImage(`berth.local/hostile-copy:${tag}`, { symlinks: { data: '/../../etc', up: '../../../..' } });
    const engine = getEngine();
    const id = await engine.createContainer({ image: image.id, command: ['sh', '-c', `cat /etc/${marker}`] });
    try {
      await engine.putArchive(id, '/data', chunked(buildTar([{ path: marker, data: 'inside\n' }])));
      await engine.putArchive(id, '/up/tmp', chunked(buildTar([{ path: marker, data: 'inside too\n' }])));
      expect(fs.existsSync(`/etc/${marker}`)).toBe(false);
      expect(fs.existsSync(`/tmp/${marker}`)).toBe(false);
      // Reading through the same links finds the container's files, not the host's.
      const passwd = await list((await engine.getArchive(id, '/data/passwd')).stream);
      expect(passwd[0]?.data).toBe('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
      await expect(engine.getArchive(id, '/up/etc/hostname')).rejects.toBeInstanceOf(ContainerPathError);
      await engine.startContainer(id);
      await engine.waitContainer(id);
      let output = '';
      for await (const frame of await engine.containerLogs(id)) output += frame.data.toString();
      expect(output).toBe('inside\n');
    } finally {
      await engine.removeContainer(id, { force: true });
      await engine.removeImage(image.id);
    }
  });

  it('keeps archive entries inside the container: ".." is refused, symlinks in the archive resolve inside', async () => {
    const marker = `berth-evil-${tag}`;
    await using container = await new GenericContainer(busybox())
      .withCommand([
        'sh',
        '-c',
        `ln -s / /tmp/root-link; touch /tmp/ready; while [ ! -e /etc/${marker} ]; do sleep 0.05; done; cat /etc/${marker}`,
      ])
      .start();
    const pid = (await container.inspect()).State.Pid;
    expect(await eventually(() => fs.existsSync(`/proc/${pid}/root/tmp/ready`), 5000)).toBe(true);
    const climbing = buildTar([{ path: `../../../../tmp/${marker}`, data: 'escaped' }]);
    await expect(container.copyArchiveToContainer(chunked(climbing), '/tmp')).rejects.toBeInstanceOf(ContainerPathError);
    // A link the archive itself plants, then a file written through it.
    const planted = buildTar([
      { path: 'escape', type: '2', linkpath: '/../../../..' },
      { path: `escape/tmp/${marker}`, data: 'through archive link\n' },
    ]);
    await container.copyArchiveToContainer(chunked(planted), '/');
    // A link the running container planted.
    await container.copyContentToContainer([{ content: 'through container link\n', target: `/tmp/root-link/etc/${marker}` }]);
    expect(fs.existsSync(`/tmp/${marker}`)).toBe(false);
    expect(fs.existsSync(`/etc/${marker}`)).toBe(false);
    expect(await finished(container)).toBe('through container link\n');
    const inside = await list(await container.copyArchiveFromContainer(`/tmp/${marker}`));
    expect(inside[0]?.data).toBe('through archive link\n');
  });
});
