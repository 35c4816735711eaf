/**
 * What the Docker backend does as the local engine does, against a real
 * dockerd: host ports reached from containers (also when the server listens
 * on 127.0.0.1 only), image archives saved and loaded in the local engine's
 * three formats across both backends, temporary commits bound to their
 * owner, and the signal that ended a container.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ArchiveFormat, type ContainerSpec, DockerEngine, type Engine, GenericContainer } from '../src/index.js';
import { scratchStores } from './support/scratch-stores.js';
import { TempDirs } from './support/temp-dirs.js';

const dockerdInstalled = fs.existsSync('/usr/sbin/dockerd') || fs.existsSync('/usr/bin/dockerd');
const title = dockerdInstalled
  ? 'DockerEngine as the local engine'
  : 'DockerEngine as the local engine — skipped: dockerd is not installed (bash scripts/setup.sh --bench)';
const FORMATS: ArchiveFormat[] = ['docker-archive', 'oci-archive', 'oci-dir'];

describe.skipIf(!dockerdInstalled)(title, () => {
  let docker: DockerEngine;
  const made: string[] = [];
  const dirs = new TempDirs('dockerparity-');

  beforeAll(() => {
    execFileSync('bash', ['bench/start-dockerd.sh'], { stdio: 'inherit' }); // Starts the system dockerd unless one answers.
    docker = new DockerEngine();
  });
  afterEach(async () => {
    await Promise.all(made.splice(0).map((id) => docker.removeContainer(id, { force: true }).catch(() => undefined)));
  });
  afterAll(async () => {
    dirs.removeAll();
    await docker?.close();
  });

  /** A busybox container on dockerd running `command`, started. */
  async function run(command: string[], extra: Partial<ContainerSpec> = {}): Promise<string> {
    const image = await docker.pullImage(inject('fixtures').busybox);
    const id = await docker.createContainer({ image: image.Id, command, ...extra });
    made.push(id);
    await docker.startContainer(id);
    return id;
  }

  /** What a container prints until it exits. */
  async function output(engine: Engine, id: string): Promise<string> {
    await engine.waitContainer(id);
    let text = '';
    for await (const frame of await engine.containerLogs(id)) text += frame.data.toString();
    return text;
  }

  describe('hostPorts: host.testcontainers.internal', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      // Loopback only: the bridge's gateway does not reach it without the relay.
      server = createServer((_req, res) => res.end('hello from the host\n'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const fetchHost = (): string[] => ['wget', '-q', '-O', '-', `http://host.testcontainers.internal:${port}/`];

    it('reaches a server that listens on 127.0.0.1 only, from the default bridge', async () => {
      const id = await run(fetchHost(), { hostPorts: [port] });
      expect(await output(docker, id)).toBe('hello from the host\n');
      const hosts = (await docker.inspectContainer(id)) as unknown as { HostConfig?: { ExtraHosts?: string[] } };
      const gateway = (await docker.inspectNetwork('bridge')).IPAM.Config[0]?.Gateway;
      expect(hosts.HostConfig?.ExtraHosts).toContain(`host.testcontainers.internal:${gateway}`);
    });

    it("reaches it from a user network, at that network's gateway", async () => {
      const name = `berth-parity-net-${randomBytes(4).toString('hex')}`;
      await docker.createNetwork(name);
      try {
        const id = await run(fetchHost(), { networkMode: name, hostPorts: [port] });
        expect(await output(docker, id)).toBe('hello from the host\n');
        await docker.removeContainer(id);
      } finally {
        await docker.removeNetwork(name);
      }
    });
  });

  describe('save and load across the backends', () => {
    const stores = scratchStores('dockerparity');

    it.each(FORMATS)('%s: saved by the local engine, loaded into dockerd, saved there, loaded into a fresh local store', async (format) => {
      const local = stores.engine();
      const source = await local.pullImage(inject('fixtures').busybox);
      const dir = dirs.make();
      const tag = `berth.local/parity/${format}:${randomBytes(4).toString('hex')}`;
      await local.tagImage(source.Id, tag);

      await local.saveImages([tag], join(dir, 'from-local'), format);
      const [intoDocker] = await docker.loadImages(join(dir, 'from-local'));
      try {
        expect(intoDocker?.Id).toBe(source.Id);
        expect(intoDocker?.RepoTags).toContain(tag);
        expect(await output(docker, await run(['echo', 'loaded into dockerd'], { image: tag }))).toBe('loaded into dockerd\n');

        await docker.saveImages([tag], join(dir, 'from-docker'), format);
        const fresh = stores.engine();
        const [back] = await fresh.loadImages(join(dir, 'from-docker'));
        expect(back?.Id).toBe(source.Id);
        expect(back?.RepoTags).toEqual([tag]);
        await using container = await new GenericContainer(tag).withCommand(['echo', 'back in a local store']).start(fresh);
        await container.wait();
        expect(await container.output()).toBe('back in a local store\n');
      } finally {
        await docker.removeImage(tag, { force: true }).catch(() => undefined);
      }
    });

    it('saves an image named by id without tags, and refuses a destination in a missing directory', async () => {
      const image = await docker.pullImage(inject('fixtures').busybox);
      const dir = dirs.make();
      await docker.saveImages([image.Id], join(dir, 'by-id'), 'oci-dir');
      const index = JSON.parse(fs.readFileSync(join(dir, 'by-id', 'index.json'), 'utf8')) as { manifests: { annotations?: unknown }[] };
      expect(index.manifests).toHaveLength(1);
      expect(index.manifests[0]?.annotations).toBeUndefined();
      await expect(docker.saveImages([image.Id], join(dir, 'missing', 'images.tar'), 'oci-archive')).rejects.toMatchObject({
        code: 'BAD_ARCHIVE',
      });
      expect(fs.readdirSync(dir)).toEqual(['by-id']);
    });
  });

  describe('temporary commits', () => {
    it('labels a temporary image with its owner, and empties owner labels a kept image would pass on', async () => {
      const id = await run(['sh', '-c', 'echo committed > /state; sleep 60']);
      const temporary = await docker.commitContainer(id, { temporary: true });
      const kept = await docker.commitContainer(id, { reference: `berth.local/parity/kept:${randomBytes(4).toString('hex')}` });
      let child: string | undefined;
      try {
        const owner = (await docker.inspectContainer(id)).Config.Labels['berth.owner'];
        expect(owner).toMatch(/-\d+-\d+$/);
        expect(temporary.Config.config?.Labels).toMatchObject({ 'berth.temporary': owner, 'berth.owner': '' });
        expect(kept.Config.config?.Labels?.['berth.owner']).toBe('');
        expect(kept.Config.config?.Labels?.['berth.temporary']).toBeUndefined();
        // A container made from the temporary image is no less owned: its own labels win over the image's.
        child = await run(['cat', '/state'], { image: temporary.Id, keepAlive: true });
        expect(await output(docker, child)).toBe('committed\n');
        expect((await docker.inspectContainer(child)).Config.Labels['berth.owner']).toBe('');
      } finally {
        if (child) await docker.removeContainer(child, { force: true });
        await docker.removeImage(kept.RepoTags[0] as string, { force: true });
        await docker.removeImage(temporary.Id, { force: true });
      }
    });
  });

  describe('how a container ended', () => {
    it('reports the signal that killed it, from the 128+n exit status', async () => {
      const killed = await run(['sleep', '60']);
      await docker.killContainer(killed, 'SIGKILL');
      expect(await docker.waitContainer(killed)).toEqual({ exitCode: 137, signal: 'SIGKILL' });

      // Under an init, the command's death by SIGTERM is the init's status.
      const stopped = await run(['sleep', '60'], { init: true });
      await docker.killContainer(stopped, 'SIGTERM');
      expect(await docker.waitContainer(stopped)).toEqual({ exitCode: 143, signal: 'SIGTERM' });

      const exited = await run(['sh', '-c', 'exit 3']);
      expect(await docker.waitContainer(exited)).toEqual({ exitCode: 3 });
    });
  });
});
