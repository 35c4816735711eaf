import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPAQUE_XATTR, unpackLayer } from '../src/engine/image/layer-unpack.js';
import { native } from '../src/engine/native.js';
import { LayerError } from '../src/errors.js';
import { buildTar, chunked, type RawEntry } from './support/tar-builder.js';

let sandbox: string;
let layer: string;
let outside: string;

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'berth-unpack-'));
  layer = join(sandbox, 'layer');
  outside = join(sandbox, 'outside');
  fs.mkdirSync(layer);
  fs.mkdirSync(outside);
});

afterEach(() => {
  fs.rmSync(sandbox, { recursive: true, force: true });
});

function unpack(entries: RawEntry[]): Promise<unknown> {
  return unpackLayer(chunked(buildTar(entries)), layer);
}

/** This process's open file descriptors. */
function openFds(): string[] {
  return fs.readdirSync('/proc/self/fd').sort();
}

/** Every path below the sandbox, except inside the layer. */
function outsideTree(): string[] {
  return (fs.readdirSync(sandbox, { recursive: true }) as string[]).filter((p) => p !== 'layer' && !p.startsWith('layer/')).sort();
}

describe('layer unpack', () => {
  it('keeps files, modes, owners, links, devices, xattrs and times', async () => {
    const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
    await unpack([
      { path: 'usr/', type: '5', mode: 0o755 },
      { path: 'usr/bin/', type: '5', mode: 0o755 },
      { path: 'usr/bin/tool', data: 'echo tool', mode: 0o4755, uid: 0, gid: 0, pax: { 'SCHILY.xattr.security.capability': cap } },
      { path: 'usr/bin/alias', type: '1', linkpath: 'usr/bin/tool' },
      { path: 'usr/bin/soft', type: '2', linkpath: 'tool', uid: 1000, gid: 1000 },
      { path: 'home/user/notes.txt', data: 'mine', mode: 0o600, uid: 1000, gid: 1001, mtime: 1_600_000_000 },
      { path: 'dev/null', type: '3', mode: 0o666, devmajor: 1, devminor: 3 },
      { path: 'run/fifo', type: '6', mode: 0o644 },
      { path: 'etc/tagged', data: 'x', pax: { 'SCHILY.xattr.user.berth': 'yes' } },
      { path: `deep/${'d'.repeat(120)}/file`, gnuLongName: `deep/${'d'.repeat(120)}/file`, data: 'long' },
      { path: 'paxname', pax: { path: `p/${'q'.repeat(200)}.txt` }, data: 'pax path' },
    ]);
    const tool = fs.statSync(join(layer, 'usr/bin/tool'));
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect(fs.statSync(join(layer, 'usr/bin/alias')).ino).toBe(tool.ino);
    expect(fs.readlinkSync(join(layer, 'usr/bin/soft'))).toBe('tool');
    expect(fs.lstatSync(join(layer, 'usr/bin/soft')).uid).toBe(1000);
    const notes = fs.statSync(join(layer, 'home/user/notes.txt'));
    expect([notes.uid, notes.gid, notes.mode & 0o777, notes.mtimeMs]).toEqual([1000, 1001, 0o600, 1_600_000_000_000]);
    const dev = fs.statSync(join(layer, 'dev/null'));
    expect(dev.isCharacterDevice()).toBe(true);
    expect(dev.rdev).toBe(fs.statSync('/dev/null').rdev);
    expect(fs.statSync(join(layer, 'run/fifo')).isFIFO()).toBe(true);
    expect(native().lgetxattr(join(layer, 'usr/bin/tool'), 'security.capability')).toEqual(cap);
    expect(native().lgetxattr(join(layer, 'etc/tagged'), 'user.berth')?.toString()).toBe('yes');
    expect(fs.readFileSync(join(layer, 'deep', 'd'.repeat(120), 'file'), 'utf8')).toBe('long');
    expect(fs.readFileSync(join(layer, 'p', `${'q'.repeat(200)}.txt`), 'utf8')).toBe('pax path');
  });

  it('turns whiteouts into overlay whiteouts and marks opaque directories', async () => {
    await unpack([
      { path: 'etc/.wh.removed.conf', data: '' },
      { path: 'var/cache/.wh..wh..opq', data: '' },
      { path: 'var/cache/fresh', data: 'new' },
    ]);
    const whiteout = fs.lstatSync(join(layer, 'etc/removed.conf'));
    expect(whiteout.isCharacterDevice()).toBe(true);
    expect(whiteout.rdev).toBe(0);
    expect(fs.existsSync(join(layer, 'etc/.wh.removed.conf'))).toBe(false);
    expect(native().lgetxattr(join(layer, 'var/cache'), OPAQUE_XATTR)?.toString()).toBe('y');
    expect(fs.existsSync(join(layer, 'var/cache/.wh..wh..opq'))).toBe(false);
  });

  it('lets a later entry replace an earlier one', async () => {
    await unpack([
      { path: 'a', data: 'first' },
      { path: 'a', data: 'second' },
      { path: 'dir/x', data: 'x' },
      { path: 'dir', type: '2', linkpath: 'elsewhere' },
    ]);
    expect(fs.readFileSync(join(layer, 'a'), 'utf8')).toBe('second');
    expect(fs.readlinkSync(join(layer, 'dir'))).toBe('elsewhere');
  });

  it('writes a large file in parts, content and metadata whole', async () => {
    // Over the write-behind part size, in small chunks, so it goes out in several parts.
    const big = Buffer.from(Array.from({ length: 3_500_000 }, (_, i) => (i * 7919) % 251));
    await unpackLayer(
      chunked(buildTar([{ path: 'big.bin', data: big, mode: 0o4711, uid: 7, gid: 8, mtime: 1_500_000_000 }]), 65_536),
      layer,
    );
    const st = fs.statSync(join(layer, 'big.bin'));
    expect([st.size, st.mode & 0o7777, st.uid, st.gid, st.mtimeMs]).toEqual([big.length, 0o4711, 7, 8, 1_500_000_000_000]);
    expect(fs.readFileSync(join(layer, 'big.bin')).equals(big)).toBe(true);
  });

  it('fails with a file whose metadata cannot be set, closing every file it opened', async () => {
    const fds = openFds();
    const files = Array.from({ length: 200 }, (_, i): RawEntry => ({ path: `f/${i}`, data: 'x'.repeat(i) }));
    // No such xattr namespace: the write-behind fails on it after many files are queued.
    const bad: RawEntry = { path: 'f/bad', data: 'x', pax: { 'SCHILY.xattr.nonamespace.x': 'y' } };
    await expect(unpack([...files, bad, ...files.map((f) => ({ ...f, path: `${f.path}-after` }))])).rejects.toMatchObject({
      code: 'ENOTSUP',
      syscall: 'fsetxattr',
      path: join(layer, 'f/bad'),
    });
    expect(openFds()).toEqual(fds);
  });

  it('closes the file being written when the archive ends inside a large one', async () => {
    const fds = openFds();
    const tar = buildTar([{ path: 'big.bin', data: Buffer.alloc(3_000_000, 1) }]);
    await expect(unpackLayer(chunked(tar.subarray(0, 2_500_000), 65_536), layer)).rejects.toBeInstanceOf(LayerError);
    expect(openFds()).toEqual(fds);
  });

  describe('refuses hostile layers and writes nothing outside', () => {
    const hostile: [string, () => RawEntry[]][] = [
      ['a ../ path', () => [{ path: '../escape', data: 'x' }]],
      ['an absolute path', () => [{ path: join(outside, 'abs'), data: 'x' }]],
      ['.. in the middle', () => [{ path: 'a/../../escape', data: 'x' }]],
      [
        'a write through an absolute symlink',
        () => [
          { path: 'link', type: '2', linkpath: outside },
          { path: 'link/owned', data: 'x' },
        ],
      ],
      [
        'a write through a relative symlink',
        () => [
          { path: 'up', type: '2', linkpath: '../outside' },
          { path: 'up/owned', data: 'x' },
        ],
      ],
      ['a hardlink out with ..', () => [{ path: 'hl', type: '1', linkpath: '../outside/target' }]],
      ['a hardlink to an absolute path', () => [{ path: 'hl', type: '1', linkpath: join(outside, 'target') }]],
      [
        'a hardlink through a symlink',
        () => [
          { path: 'l', type: '2', linkpath: outside },
          { path: 'hl', type: '1', linkpath: 'l/target' },
        ],
      ],
      ['a PAX path with ..', () => [{ path: 'innocent', pax: { path: '../pax-escape' }, data: 'x' }]],
      ['a GNU long name with ..', () => [{ path: 'innocent', gnuLongName: '../../gnu-escape', data: 'x' }]],
      ['a whiteout naming ..', () => [{ path: 'd/.wh...', data: '' }]],
      [
        'a directory swapped for a symlink',
        () => [
          { path: 'd/', type: '5' },
          { path: 'd', type: '2', linkpath: outside },
          { path: 'd/owned', data: 'x' },
        ],
      ],
      [
        'a device node written through a symlink',
        () => [
          { path: 's', type: '2', linkpath: outside },
          { path: 's/null', type: '3', devmajor: 1, devminor: 3 },
        ],
      ],
      ['a corrupt header checksum', () => [{ path: 'ok', data: 'x', badChecksum: true }]],
      ['truncated content', () => [{ path: 'short', data: 'abc', declaredSize: 100_000 }]],
    ];
    it.each(hostile)('%s', async (_name, entries) => {
      fs.writeFileSync(join(outside, 'target'), 'secret');
      const before = outsideTree();
      await expect(unpack(entries())).rejects.toBeInstanceOf(LayerError);
      expect(outsideTree()).toEqual(before);
      expect(fs.readFileSync(join(outside, 'target'), 'utf8')).toBe('secret');
      expect(fs.statSync(join(outside, 'target')).nlink).toBe(1);
    });
  });
});
