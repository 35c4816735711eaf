import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { statePaths } from '../src/engine/paths.js';
import {
  ArchiveError,
  BerthError,
  type ContainerSpec,
  GenericContainer,
  getEngine,
  InvalidMountError,
  InvalidSpecError,
  NetworkError,
} from '../src/index.js';

const busybox = (): string => inject('fixtures').busybox;
const engine = getEngine();
let image: string;

beforeAll(async () => {
  image = (await engine.pullImage(busybox())).Id;
});

/** Everything a container create can leave in the state root: container dirs, name links, trash, volumes, staging. */
function stateEntries(): string[] {
  const paths = statePaths();
  const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).map((e) => join(dir, e)) : []);
  return [paths.containers, join(paths.containers, '.names'), join(paths.containers, '.trash'), paths.volumes, paths.tmp].flatMap(list);
}

interface Refusal {
  type: abstract new (...args: never[]) => BerthError;
  code: string;
  /** What the message must say: the field, the value, what is allowed. */
  says: RegExp[];
  /** What the hint must say. */
  hint?: RegExp;
}

/** `action` fails with the typed error and leaves no new entry in the state root. */
async function expectRefused(action: () => unknown, refusal: Refusal): Promise<void> {
  const before = new Set(stateEntries());
  let error: unknown;
  try {
    await action();
  } catch (e) {
    error = e;
  }
  expect(error, 'the input was accepted').toBeInstanceOf(refusal.type);
  const typed = error as BerthError;
  expect(typed.code).toBe(refusal.code);
  for (const text of refusal.says) expect(typed.message).toMatch(text);
  if (refusal.hint) expect(typed.hint).toMatch(refusal.hint);
  expect(stateEntries().filter((e) => !before.has(e))).toEqual([]);
}

const invalidSpec = (...says: RegExp[]): Refusal => ({ type: InvalidSpecError, code: 'INVALID_SPEC', says });
const create = (spec: Omit<ContainerSpec, 'image'>) => () => engine.createContainer({ image, command: ['true'], ...spec });

/** A host port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => resolve(true));
  });
  if (ok) await new Promise((resolve) => server.close(resolve));
  return ok;
}

describe('bad input gets a typed error before anything is created', () => {
  it('refuses host and container ports outside 1-65535, binding no port', async () => {
    const range = /from 1 to 65535/;
    await expectRefused(
      create({ ports: [{ containerPort: 80, hostPort: 70000 }] }),
      invalidSpec(/ports\[0\]\.hostPort/, /70000/, range, /0 \(or none\) for a free port/),
    );
    await expectRefused(create({ ports: [{ containerPort: 80, hostPort: -1 }] }), invalidSpec(/ports\[0\]\.hostPort/, /-1/, range));
    await expectRefused(create({ ports: [{ containerPort: 0 }] }), invalidSpec(/ports\[0\]\.containerPort/, range));
    await expectRefused(create({ ports: [{ containerPort: 80.5 }] }), invalidSpec(/ports\[0\]\.containerPort/, /80\.5/, range));
    // A good fixed port beside a bad one stays free: nothing was bound.
    const fixed = await freePort();
    await expectRefused(
      () =>
        new GenericContainer(busybox())
          .withCommand(['sleep', '60'])
          .withExposedPorts({ container: 80, host: fixed })
          .withExposedPorts({ container: 81, host: 65536 })
          .start(),
      invalidSpec(/port\.hostPort/, /65536/, range),
    );
    expect(await canListen(fixed)).toBe(true);
  });

  it('refuses negative, NaN, too small and absurdly large limits, naming the field and the range', async () => {
    const MiB = 1024 ** 2;
    const memory = [/resources\.memory/, /from 6291456 \(6 MiB/, /2\^53 - 1/];
    // 1 byte used to end in "wait-for-go: Broken pipe" at start.
    await expectRefused(create({ resources: { memory: 1 } }), invalidSpec(/ 1:/, ...memory));
    await expectRefused(create({ resources: { memory: 5 * MiB } }), invalidSpec(...memory));
    await expectRefused(create({ resources: { memory: -1 } }), invalidSpec(/-1/, ...memory));
    await expectRefused(create({ resources: { memory: Number.NaN } }), invalidSpec(/NaN/, ...memory));
    await expectRefused(create({ resources: { memory: 2 ** 60 } }), invalidSpec(...memory));
    await expectRefused(
      create({ resources: { memory: 64 * MiB, memorySwap: MiB } }),
      invalidSpec(/resources\.memorySwap/, /from resources\.memory \(67108864\)/),
    );
    await expectRefused(create({ resources: { nanoCpus: -5 } }), invalidSpec(/resources\.nanoCpus/, /0\.01 CPU/, /CPUs of this machine/));
    await expectRefused(create({ resources: { nanoCpus: 1e15 } }), invalidSpec(/resources\.nanoCpus/, /CPUs of this machine/));
    await expectRefused(create({ resources: { nanoCpus: Number.POSITIVE_INFINITY } }), invalidSpec(/resources\.nanoCpus/, /Infinity/));
    await expectRefused(create({ resources: { cpuShares: 1 } }), invalidSpec(/resources\.cpuShares/, /from 2 to 262144/));
    await expectRefused(create({ resources: { pidsLimit: -2 } }), invalidSpec(/resources\.pidsLimit/, /0 or -1 for no limit/));
    await expectRefused(create({ resources: { blkioWeight: 5 } }), invalidSpec(/resources\.blkioWeight/, /from 10 to 1000/));
    await expectRefused(create({ resources: { cpusetCpus: '0-1;rm' } }), invalidSpec(/resources\.cpusetCpus/, /"0-1"/));
    await expectRefused(create({ stopTimeoutMs: -1 }), invalidSpec(/stopTimeoutMs/, /milliseconds from 0 to 2147483647/));
    // The minimum is enough to start: busybox runs in 6 MiB.
    const id = await engine.createContainer({ image, command: ['echo', 'small'], resources: { memory: 6 * MiB } });
    try {
      await engine.startContainer(id);
      expect(await engine.waitContainer(id)).toEqual({ exitCode: 0 });
    } finally {
      await engine.removeContainer(id, { force: true });
    }
  });

  it('refuses environment names that are empty or contain "="', async () => {
    const rule = /must be a non-empty name without "="/;
    await expectRefused(create({ env: { '': 'x' } }), invalidSpec(/env name ""/, rule));
    await expectRefused(create({ env: { 'A=B': 'x' } }), invalidSpec(/env name "A=B"/, rule));
    await expectRefused(
      () => new GenericContainer(busybox()).withEnvironment({ 'MODE=': 'test' }).start(),
      invalidSpec(/env name "MODE="/, rule),
    );
  });

  it('refuses an empty string as the program to run, and a command that is not an array', async () => {
    const empty = /the program to run must not be an empty string/;
    await expectRefused(() => new GenericContainer(busybox()).withCommand(['']).start(), invalidSpec(/command\[0\]/, empty));
    await expectRefused(() => new GenericContainer(busybox()).withEntrypoint(['', 'x']).start(), invalidSpec(/entrypoint\[0\]/, empty));
    await expectRefused(
      () => new GenericContainer(busybox()).withCommand('echo hi' as unknown as string[]).start(),
      invalidSpec(/command "echo hi"/, /must be an array of strings/),
    );
  });

  it('refuses port protocols other than tcp and udp', async () => {
    const tcpOrUdp = /must be 'tcp' or 'udp'/;
    await expectRefused(
      () => new GenericContainer(busybox()).withExposedPorts('80/sctp'),
      invalidSpec(/port protocol "80\/sctp"/, tcpOrUdp),
    );
    await expectRefused(
      () => new GenericContainer(busybox()).withExposedPorts({ container: '53/sctp', host: 5353 }),
      invalidSpec(/port protocol "53\/sctp"/, tcpOrUdp),
    );
    await expectRefused(
      () => new GenericContainer(busybox()).withExposedPorts('http'),
      invalidSpec(/port "http"/, /optional \/tcp or \/udp/),
    );
    await expectRefused(
      create({ ports: [{ containerPort: 80, protocol: 'sctp' as 'tcp' }] }),
      invalidSpec(/ports\[0\]\.protocol "sctp"/, tcpOrUdp),
    );
  });

  it('refuses NUL bytes in arguments, environment, paths and names, naming the field', async () => {
    const nul = /must not contain a NUL byte/;
    await expectRefused(create({ command: ['sh', '-c', 'echo a\0b'] }), invalidSpec(/command\[2\]/, /\\u0000/, nul));
    await expectRefused(create({ entrypoint: ['/bin/\0sh'] }), invalidSpec(/entrypoint\[0\]/, nul));
    await expectRefused(create({ env: { A: 'x\0y' } }), invalidSpec(/env\.A/, nul));
    await expectRefused(create({ env: { 'A\0B': 'x' } }), invalidSpec(/env name/, nul));
    await expectRefused(create({ workingDir: '/tmp\0x' }), invalidSpec(/workingDir/, nul));
    await expectRefused(create({ name: 'web\0x' }), invalidSpec(/name/, nul));
    await expectRefused(create({ hostname: 'box\0x' }), invalidSpec(/hostname/, nul));
    await expectRefused(
      () => new GenericContainer(busybox()).withCopyFilesToContainer([{ source: '/etc/hostname\0x', target: '/x' }]),
      invalidSpec(/withCopyFilesToContainer\[0\]\.source/, nul),
    );
    await expectRefused(
      () => new GenericContainer(busybox()).withCopyContentToContainer([{ content: 'x', target: '/etc/a\0b' }]),
      invalidSpec(/withCopyContentToContainer\[0\]\.target/, nul),
    );
    await expectRefused(create({ mounts: [{ type: 'bind', source: '/etc\0x', target: '/x' }] }), {
      type: InvalidMountError,
      code: 'INVALID_MOUNT',
      says: [/bind source contains a NUL/],
    });
    await expectRefused(() => engine.saveImages([image], join(tmpdir(), 'images\0.tar'), 'docker-archive'), {
      type: ArchiveError,
      code: 'BAD_ARCHIVE',
      says: [/cannot save images to/, /NUL byte/],
    });
  });

  it('refuses over-long names with their limit before any file is made', async () => {
    await expectRefused(create({ name: 'n'.repeat(300) }), invalidSpec(/invalid name "n+…" \(300 characters\)/, /1-255 letters/));
    await expectRefused(create({ hostname: 'h'.repeat(65) }), invalidSpec(/hostname/, /1-64 characters/));
    const volumeName: Refusal = {
      type: BerthError,
      code: 'INVALID_VOLUME_NAME',
      says: [/invalid volume name/, /\(241 characters\)/, /2-240 letters/],
    };
    await expectRefused(() => engine.createVolume({ name: 'v'.repeat(241) }), volumeName);
    await expectRefused(create({ mounts: [{ type: 'volume', source: 'v'.repeat(241), target: '/data' }] }), volumeName);
    await expectRefused(() => engine.createNetwork('w'.repeat(65)), {
      type: NetworkError,
      code: 'NETWORK_ERROR',
      says: [/invalid network name/],
      hint: /1-64/,
    });
    // The limits are real: names of exactly that length work.
    const name = `n${Date.now()}`.padEnd(255, 'n');
    const id = await engine.createContainer({ image, command: ['true'], name });
    expect((await engine.inspectContainer(name)).Id).toBe(id);
    await engine.removeContainer(id);
    const volume = `v${Date.now()}`.padEnd(240, 'v');
    await engine.createVolume({ name: volume });
    await engine.removeVolume(volume);
  });

  it('refuses save destinations that cannot be written, leaving nothing behind', async () => {
    const unwritable = (...says: RegExp[]): Refusal => ({
      type: ArchiveError,
      code: 'BAD_ARCHIVE',
      says,
      hint: /existing, writable directory/,
    });
    await expectRefused(
      () => engine.saveImages([image], '/nonexistent-berth-dir/images.tar', 'docker-archive'),
      unwritable(/cannot save images to "\/nonexistent-berth-dir\/images\.tar"/, /the directory \/nonexistent-berth-dir does not exist/),
    );
    await expectRefused(() => engine.saveImages([image], '/nonexistent-berth-dir/layout', 'oci-dir'), unwritable(/does not exist/));
    // A read-only directory (as root, only a read-only filesystem refuses a write).
    const dir = mkdtempSync(join(tmpdir(), 'validate-ro-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'validate-ro', dir]);
    try {
      await expectRefused(
        () => engine.saveImages([image], join(dir, 'images.tar'), 'oci-archive'),
        unwritable(/is not writable \(EROFS\)/),
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true });
    }
  });

  it('takes withResourcesQuota memory in GiB and refuses a value that looks like bytes, with a hint', async () => {
    const quota = (q: { memory?: number; cpu?: number }) => () => new GenericContainer(busybox()).withResourcesQuota(q);
    await expectRefused(quota({ memory: 2 * 1024 ** 3 }), {
      ...invalidSpec(/quota\.memory 2147483648/, /looks like bytes or MiB, not GiB/, /to 1024/),
      hint: /takes GiB, as testcontainers does: 512 MiB is \{ memory: 0\.5 \}, 2147483648 bytes would be \{ memory: 2 \}/,
    });
    await expectRefused(quota({ memory: Number.NaN }), invalidSpec(/quota\.memory NaN/, /a number of GiB from/));
    await expectRefused(quota({ memory: -1 }), invalidSpec(/quota\.memory -1/));
    await expectRefused(quota({ memory: 1 / 1024 ** 3 }), invalidSpec(/quota\.memory/, /\(6 MiB\)/));
    await expectRefused(quota({ cpu: -1 }), invalidSpec(/quota\.cpu -1/, /positive number of CPUs/));
    await using c = await new GenericContainer(busybox())
      .withCommand(['sleep', '60'])
      .withResourcesQuota({ memory: 0.5, cpu: 0.5 })
      .start();
    const { HostConfig } = await c.inspect();
    expect(HostConfig.Memory).toBe(512 * 1024 ** 2);
    expect(HostConfig.NanoCpus).toBe(5e8);
  });
});
