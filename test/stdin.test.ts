import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { statePaths } from '../src/engine/paths.js';
import { ContainerStateError, GenericContainer, getEngine, LocalEngine, type StartedTestContainer } from '../src/index.js';
import { containerDirExists, eventually } from './support/leaks.js';

const busybox = (): string => inject('fixtures').busybox;
const MIB = 1024 * 1024;
const socketOf = (id: string): string => `${statePaths().containers}/${id}/attach.sock`;

/** 1 MiB in 16 chunks of varying bytes, as a stream. */
function mebibyte(): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < 16; i++) yield Buffer.alloc(MIB / 16, i);
    })(),
  );
}

/** `docker run -i busybox`, echoing every line it reads as `got:<line>`, then running `after`. */
function readLoop(after = ''): Promise<StartedTestContainer> {
  return new GenericContainer(busybox())
    .withCommand(['sh', '-c', `while read line; do echo got:$line; done${after}`])
    .withOpenStdin()
    .start();
}

async function logs(c: StartedTestContainer): Promise<string> {
  const lines: string[] = [];
  for await (const frame of await getEngine().containerLogs(c.getId())) lines.push(frame.data.toString());
  return lines.join('');
}

describe('container stdin (docker run -i, docker attach)', () => {
  it('reads what an attach writes, exits at EOF, and leaves no socket behind', async () => {
    const c = await readLoop('; echo eof');
    try {
      expect((await c.inspect()).Config.OpenStdin).toBe(true);
      expect(fs.existsSync(socketOf(c.getId()))).toBe(true);
      const session = await c.attachStdin();
      const seen: string[] = [];
      session.output.on('data', (line) => seen.push(String(line)));
      await session.write('hello\n');
      await session.write(Buffer.from('world\n'));
      expect(await eventually(() => seen.join('') === 'got:hello\ngot:world\n')).toBe(true);
      await session.end();
      expect(await getEngine().waitContainer(c.getId())).toEqual({ exitCode: 0 });
      expect(await logs(c)).toBe('got:hello\ngot:world\neof\n');
      // The monitor removed its socket before it recorded the exit.
      expect(fs.existsSync(socketOf(c.getId()))).toBe(false);
      await expect(session.write('late\n')).rejects.toBeInstanceOf(ContainerStateError);
      session.close();
    } finally {
      await c.stop();
    }
    // Removal moves the directory aside and deletes it in the background.
    expect(await eventually(() => !containerDirExists(c.getId()))).toBe(true);
  });

  it('takes a 1 MiB stream given to attach whole, then closes stdin', async () => {
    const c = await new GenericContainer(busybox()).withCommand(['wc', '-c']).withOpenStdin().start();
    try {
      const session = await c.attachStdin({ stdin: mebibyte() });
      await session.input;
      expect(await getEngine().waitContainer(c.getId())).toEqual({ exitCode: 0 });
      expect((await logs(c)).trim()).toBe(String(MIB));
      await expect(session.write('more')).rejects.toBeInstanceOf(ContainerStateError);
      session.close();
    } finally {
      await c.stop();
    }
  });

  it('lets other processes attach and write too', async () => {
    const c = await readLoop();
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/attach-writer.ts', c.getId(), 'from-child\n'], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
      // A second engine on the same root, which knows the container only from its state files.
      const other = await new LocalEngine().attachContainer(c.getId());
      await other.write('from-other-engine\n');
      other.close();
      const mine = await c.attachStdin();
      await mine.write('from-owner\n');
      await mine.end();
      expect(await getEngine().waitContainer(c.getId())).toEqual({ exitCode: 0 });
      expect(await logs(c)).toBe('got:from-child\ngot:from-other-engine\ngot:from-owner\n');
      mine.close();
    } finally {
      await c.stop();
    }
  });

  it('resizes the terminal of a container with a TTY', async () => {
    const c = await new GenericContainer(busybox()).withCommand(['sh', '-c', 'read x; tty; stty size']).withTty().withOpenStdin().start();
    try {
      expect((await c.inspect()).Config.Tty).toBe(true);
      const session = await c.attachStdin();
      await session.resize(120, 33);
      await session.write('x\n');
      expect(await getEngine().waitContainer(c.getId())).toEqual({ exitCode: 0 });
      // A terminal echoes what it was sent (before the shell reads it) and turns \n into \r\n.
      expect(await logs(c)).toMatch(/^x\r\n\/dev\/pts\/0\r\n33 120\r\n$/);
      session.close();
    } finally {
      await c.stop();
    }
  });

  it('gives the command under an init the terminal too', async () => {
    const c = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'read x; tty; [ -t 0 ] && echo stdin-is-a-tty'])
      .withInit()
      .withTty()
      .withOpenStdin()
      .start();
    try {
      const session = await c.attachStdin({ stdin: 'x\n' });
      await session.input;
      expect(await getEngine().waitContainer(c.getId())).toEqual({ exitCode: 0 });
      expect(await logs(c)).toBe('x\r\n/dev/pts/0\r\nstdin-is-a-tty\r\n');
      session.close();
    } finally {
      await c.stop();
    }
  });

  it('drops a client that sends a malformed frame and serves the others', async () => {
    const c = await readLoop();
    try {
      const socket = socketOf(c.getId());
      const dir = fs.openSync(dirname(socket), 'r');
      const raw = connect({ path: `/proc/self/fd/${dir}/${basename(socket)}` });
      await new Promise((resolve) => raw.once('connect', resolve));
      fs.closeSync(dir);
      const received: Buffer[] = [];
      raw.on('data', (d: Buffer) => received.push(d));
      const closed = new Promise((resolve) => raw.once('close', resolve));
      // A well-formed data frame, acknowledged with errno 0, then an unknown type.
      raw.write(Buffer.from([0x64, 3, 0, 0, 0, ...Buffer.from('ab\n'), 0x78, 0, 0, 0, 0]));
      await closed;
      expect(Buffer.concat(received)).toEqual(Buffer.from([0x61, 4, 0, 0, 0, 0, 0, 0, 0]));
      const session = await c.attachStdin();
      await session.write('cd\n');
      await session.end();
      expect(await getEngine().waitContainer(c.getId())).toEqual({ exitCode: 0 });
      expect(await logs(c)).toBe('got:ab\ngot:cd\n');
      session.close();
    } finally {
      await c.stop();
    }
  });

  it('refuses what the container was not created for', async () => {
    const plain = await new GenericContainer(busybox()).withCommand(['sleep', '1000']).start();
    const tty = await new GenericContainer(busybox()).withCommand(['sleep', '1000']).withTty().start();
    const piped = await new GenericContainer(busybox()).withCommand(['sleep', '1000']).withOpenStdin().start();
    try {
      await expect(plain.attachStdin()).rejects.toBeInstanceOf(ContainerStateError);
      // A TTY without openStdin can be resized, not written to.
      await expect(tty.attachStdin({ stdin: 'x' })).rejects.toBeInstanceOf(ContainerStateError);
      const session = await tty.attachStdin();
      await expect(session.write('x')).rejects.toThrow(/not created with openStdin/);
      await session.resize(80, 24);
      session.close();
      const noTerminal = await piped.attachStdin();
      await expect(noTerminal.resize(80, 24)).rejects.toThrow(/has no terminal/);
      expect(() => noTerminal.resize(0, 24)).toThrow(RangeError);
      noTerminal.close();
    } finally {
      await Promise.all([plain.stop(), tty.stop(), piped.stop()]);
    }
    await expect(piped.attachStdin()).rejects.toBeInstanceOf(Error);
  });
});

describe('exec stdin (docker exec -i)', () => {
  let container: StartedTestContainer;

  beforeAll(async () => {
    container = await new GenericContainer(busybox()).withCommand(['sleep', '1000']).start();
  });

  afterAll(async () => {
    await container?.stop();
  });

  it('writes a string, then EOF', async () => {
    expect(await container.exec(['wc', '-c'], { stdin: 'hello world' })).toMatchObject({ exitCode: 0, stdout: '11\n' });
    expect((await container.exec(['cat'], { stdin: Buffer.from('a\nb\n') })).stdout).toBe('a\nb\n');
  });

  it('takes a 1 MiB stream whole', async () => {
    const { stdout } = await container.exec(['sh', '-c', 'cat | md5sum'], { stdin: mebibyte() });
    const expected = (await import('node:crypto')).createHash('md5');
    for await (const chunk of mebibyte()) expected.update(chunk as Buffer);
    expect(stdout).toBe(`${expected.digest('hex')}  -\n`);
  });

  it('ends without waiting for a stream the command does not read', async () => {
    const endless = new PassThrough();
    endless.write('never read\n');
    expect(await container.exec(['true'], { stdin: endless })).toMatchObject({ exitCode: 0 });
    endless.destroy();
  });

  it('rejects with the error of a failing source and kills the command', async () => {
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from('partial\n');
        throw new Error('source broke');
      })(),
    );
    await expect(container.exec(['cat'], { stdin: failing })).rejects.toThrow('source broke');
    expect(await eventually(async () => (await getEngine().topContainer(container.getId())).processes.length === 1)).toBe(true);
  });

  it('rejects with the error of a failing onStart and kills the command', async () => {
    const failing = (): void => {
      throw new Error('onStart broke');
    };
    await expect(container.exec(['sleep', '1000'], { onStart: failing })).rejects.toThrow('onStart broke');
    expect(await eventually(async () => (await getEngine().topContainer(container.getId())).processes.length === 1)).toBe(true);
  });

  it('resizes a TTY exec, and types ^D at the end of stdin', async () => {
    const input = new PassThrough();
    const result = await container.exec(['sh', '-c', 'read x; stty size; cat; echo done'], {
      tty: true,
      stdin: input,
      onStart: (exec) => {
        void exec.resize(100, 40).then(() => input.end('go\n'));
      },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('go\r\n40 100\r\ndone\r\n');
  });

  it('refuses to resize an exec without a terminal', async () => {
    let resized: Promise<void> | undefined;
    await container.exec(['true'], {
      onStart: (exec) => {
        resized = exec.resize(80, 24);
        resized.catch(() => undefined); // Awaited below, after the exec.
      },
    });
    await expect(resized).rejects.toThrow(/no terminal/);
  });
});
