import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, inject, it, onTestFinished } from 'vitest';
import { digestHex, statePaths } from '../src/engine/paths.js';
import {
  ContainerStateError,
  GenericContainer,
  getEngine,
  LocalEngine,
  PostgreSqlContainer,
  type StartedPostgreSqlContainer,
  type StartedTestContainer,
} from '../src/index.js';
import { containerDirExists, eventually } from './support/leaks.js';

const fixtures = () => inject('fixtures');

// Removed containers are deleted in the background: a database's thousand files must be gone before the worker ends.
afterEach(async () => {
  await eventually(() => readdirSync(join(statePaths().containers, '.trash')).length === 0, 20_000, 50);
});
const sleeper = () => new GenericContainer(fixtures().busybox).withCommand(['sleep', '1000']);

/** A file's content in a container, or `missing`. */
async function read(container: StartedTestContainer, path: string): Promise<string> {
  const { output } = await container.exec(['sh', '-c', `cat ${path} 2>/dev/null || echo missing`]);
  return output.trim();
}

/** Where the store keeps an unpacked layer. */
const layerDir = (chainId: string): string => join(statePaths().layers, digestHex(chainId));

/** The chain id of the snapshot's own layer (the top one). */
async function topLayer(imageId: string): Promise<string> {
  const { chainIds } = await import('../src/engine/image/image-store.js');
  const image = await getEngine().inspectImage(imageId);
  const top = chainIds(image?.Config.rootfs.diff_ids ?? []).at(-1);
  if (!top) throw new Error(`image ${imageId} has no layer`);
  return top;
}

describe('snapshot of a container', () => {
  it('starts independent containers: writes in one are not seen by the other, nor are the original’s later writes', async () => {
    await using original = await sleeper().start();
    await original.exec(['sh', '-c', 'echo seeded > /seed']);
    await using snapshot = await original.snapshot();
    await original.exec(['sh', '-c', 'echo later > /later && echo changed > /seed']);

    await using a = await snapshot.start();
    await using b = await snapshot.start();
    expect(a.getId()).not.toBe(b.getId());
    expect((await a.inspect()).Config.Cmd).toEqual(['sleep', '1000']); // The original's run settings.
    expect([await read(a, '/seed'), await read(b, '/seed')]).toEqual(['seeded', 'seeded']);
    expect([await read(a, '/later'), await read(b, '/later')]).toEqual(['missing', 'missing']);

    await a.exec(['sh', '-c', 'echo mine > /only-a && rm /seed']);
    expect(await read(a, '/only-a')).toBe('mine');
    expect(await read(b, '/only-a')).toBe('missing');
    expect(await read(b, '/seed')).toBe('seeded');
    expect(await read(original, '/seed')).toBe('changed');
  });

  it('holds what the container wrote to an anonymous volume; each copy gets it in its own files, not a volume', async () => {
    await using original = await sleeper()
      .withMounts([{ type: 'volume', target: '/srv/data' }])
      .start();
    await original.exec([
      'sh',
      '-c',
      'echo kept > /srv/data/row && mkdir /srv/data/sub && chmod 700 /srv/data && chown 12:34 /srv/data/sub',
    ]);
    await using snapshot = await original.snapshot();
    const image = await getEngine().inspectImage(snapshot.getImageId());
    expect(image?.Config.config?.Volumes ?? {}).not.toHaveProperty('/srv/data');

    await using a = await snapshot.start();
    await using b = await snapshot.start();
    expect((await a.inspect()).Mounts).toEqual([]);
    expect(await read(a, '/srv/data/row')).toBe('kept');
    const { output } = await a.exec(['stat', '-c', '%a %u:%g %n', '/srv', '/srv/data', '/srv/data/sub']);
    expect(output.trim().split('\n')).toEqual(['755 0:0 /srv', '700 0:0 /srv/data', '755 12:34 /srv/data/sub']);
    await a.exec(['sh', '-c', 'echo changed > /srv/data/row']);
    expect(await read(b, '/srv/data/row')).toBe('kept');
    expect(await read(original, '/srv/data/row')).toBe('kept');
  });

  it('is removed with its layer by remove(), refused while a container uses it; nothing is left', async () => {
    const original = await sleeper().start();
    await original.exec(['sh', '-c', 'head -c 4096 /dev/urandom > /blob']);
    const snapshot = await original.snapshot();
    const layer = await topLayer(snapshot.getImageId());
    expect(existsSync(layerDir(layer))).toBe(true);

    const user = await snapshot.start();
    await expect(snapshot.remove()).rejects.toBeInstanceOf(ContainerStateError);
    expect(await getEngine().inspectImage(snapshot.getImageId())).toBeDefined();
    await user.stop();
    await original.stop();
    await snapshot.remove();
    await expect(snapshot.start()).rejects.toMatchObject({ code: 'IMAGE_NOT_PRESENT' });

    expect(await getEngine().inspectImage(snapshot.getImageId())).toBeUndefined();
    expect(existsSync(layerDir(layer))).toBe(false);
    for (const id of [original.getId(), user.getId()]) expect(await eventually(() => !containerDirExists(id))).toBe(true);
  });

  it('await using removes a temporary snapshot and leaves a named one, which is tagged', async () => {
    await using original = await sleeper().start();
    let temporary = '';
    {
      await using snapshot = await original.snapshot();
      temporary = snapshot.getImageId();
      expect(snapshot.isKept()).toBe(false);
    }
    expect(await getEngine().inspectImage(temporary)).toBeUndefined();

    const name = `berth.local/snapshot-test:${process.pid}`;
    {
      await using named = await original.snapshot({ name });
      expect([named.isKept(), named.getImageName()]).toEqual([true, name]);
    }
    const kept = await getEngine().inspectImage(name);
    expect(kept?.RepoTags).toEqual([name]);
    await getEngine().removeImage(name);
  });
});

/** Runs test/support/snapshot-process.ts; it is killed when the test ends, whatever happened. */
async function snapshotInChild(lifetime: 'keep' | 'temporary', end: 'exit' | 'idle') {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/snapshot-process.ts', fixtures().busybox, lifetime, end], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return { child, ...(JSON.parse(line.toString()) as { imageId: string; chainId: string }) };
}

describe('snapshot lifetime', () => {
  it('goes when the process that made it exits', async () => {
    const { child, imageId, chainId } = await snapshotInChild('temporary', 'exit');
    expect(await once(child, 'exit')).toEqual([0, null]);
    expect(await getEngine().inspectImage(imageId)).toBeUndefined();
    expect(existsSync(layerDir(chainId))).toBe(false);
  });

  it('with spares, hands over a container started ahead, starts its replacement, and removes the spares with it', async () => {
    await using original = await sleeper().start();
    await original.exec(['sh', '-c', 'echo seeded > /seed']);
    const snapshot = await original.snapshot({ spares: 1 });
    const fromSnapshot = async () => (await getEngine().listContainers()).filter((c) => c.Image === snapshot.getImageId()).map((c) => c.Id);
    // Started before anyone asked for it.
    expect(await eventually(async () => (await fromSnapshot()).length === 1, 10_000, 50)).toBe(true);
    const [spare] = await fromSnapshot();

    const a = await snapshot.start();
    expect(a.getId()).toBe(spare);
    await a.exec(['sh', '-c', 'echo mine > /only-a']);
    expect(await eventually(async () => (await fromSnapshot()).length === 2, 10_000, 50)).toBe(true);
    const b = await snapshot.start();
    expect(b.getId()).not.toBe(a.getId());
    expect([await read(b, '/seed'), await read(b, '/only-a')]).toEqual(['seeded', 'missing']);

    await a.stop();
    await b.stop();
    // The replacement for b is a spare too: remove() stops it before the image goes.
    expect(await eventually(async () => (await fromSnapshot()).length === 1, 10_000, 50)).toBe(true);
    await snapshot.remove();
    expect(await fromSnapshot()).toEqual([]);
    expect(await getEngine().inspectImage(snapshot.getImageId())).toBeUndefined();
  });

  it('refuses spares that are not a whole number, before making anything', async () => {
    await using original = await sleeper().start();
    const before = (await getEngine().listImages()).length;
    for (const spares of [-1, 1.5, Number.NaN]) {
      await expect(original.snapshot({ spares })).rejects.toMatchObject({ name: 'InvalidSpecError', field: 'spares' });
    }
    expect((await getEngine().listImages()).length).toBe(before);
  });

  it('after a SIGKILL of that process, goes when the next engine starts', async () => {
    const { child, imageId, chainId } = await snapshotInChild('temporary', 'idle');
    expect(await getEngine().inspectImage(imageId)).toBeDefined();
    child.kill('SIGKILL');
    await once(child, 'exit');
    // The container it snapshotted goes with its monitor; the sweep leaves an image still in use.
    const swept = await eventually(async () => (await new LocalEngine().inspectImage(imageId)) === undefined, 5000, 100);
    expect(swept).toBe(true);
    expect(existsSync(layerDir(chainId))).toBe(false);
  });

  it('outlives its process when kept, killed or not, until removed', async () => {
    const exited = await snapshotInChild('keep', 'exit');
    await once(exited.child, 'exit');
    const killed = await snapshotInChild('keep', 'idle');
    killed.child.kill('SIGKILL');
    await once(killed.child, 'exit');
    const engine = new LocalEngine();
    for (const { imageId } of [exited, killed]) {
      await using copy = await new GenericContainer(imageId).start(engine);
      expect(await read(copy, '/seed')).toBe('seeded');
    }
    for (const { imageId, chainId } of [exited, killed]) {
      await engine.removeImage(imageId);
      expect(existsSync(layerDir(chainId))).toBe(false);
    }
  });
});

/** Runs `sql` through a new client of `db` (its published port). */
async function query(db: StartedPostgreSqlContainer, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: db.getConnectionUri() });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSqlContainer snapshot', () => {
  it('gives each copy the tables and rows, the credentials and database, and writes of its own', async () => {
    await using original = await new PostgreSqlContainer(fixtures().postgres).withDatabase('shop').withUsername('clerk').start();
    await query(original, "CREATE TABLE items (name text); INSERT INTO items VALUES ('anchor'), ('rope')");
    await using snapshot = await original.snapshot();

    // The original was shut down cleanly and started again: it still serves, and its writes stay its own.
    await query(original, "INSERT INTO items VALUES ('after')");
    await using a = await snapshot.start();
    await using b = await snapshot.start();
    expect([a.getDatabase(), a.getUsername(), a.getPassword()]).toEqual(['shop', 'clerk', 'test']);
    expect(a.getConnectionUri()).toBe(`postgres://clerk:test@127.0.0.1:${a.getPort()}/shop`);
    const names = 'SELECT name FROM items ORDER BY name';
    expect(await query(a, names)).toEqual([{ name: 'anchor' }, { name: 'rope' }]);
    expect(await query(b, names)).toEqual([{ name: 'anchor' }, { name: 'rope' }]);

    await query(a, "INSERT INTO items VALUES ('chain'); DELETE FROM items WHERE name = 'rope'");
    expect(await query(a, names)).toEqual([{ name: 'anchor' }, { name: 'chain' }]);
    expect(await query(b, names)).toEqual([{ name: 'anchor' }, { name: 'rope' }]);
    expect(await query(original, names)).toEqual([{ name: 'after' }, { name: 'anchor' }, { name: 'rope' }]);
    // A clean shutdown before the snapshot: the copy starts without crash recovery.
    expect(await a.output()).toContain('database system was shut down at');
    expect(await a.output()).not.toContain('automatic recovery in progress');
  });
});
