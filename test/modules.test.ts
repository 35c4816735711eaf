import * as fs from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { request } from 'undici';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { InvalidSpecError, NginxContainer, PostgreSqlContainer, RedisContainer } from '../src/index.js';
import { containerDirExists, eventually } from './support/leaks.js';
import { TempDirs } from './support/temp-dirs.js';

const fixtures = () => inject('fixtures');
const dirs = new TempDirs('berth-site-');
afterAll(() => dirs.removeAll());

describe('PostgreSqlContainer', () => {
  it('starts with test/test/test and takes a real client: create, insert, read back', async () => {
    const container = await new PostgreSqlContainer(fixtures().postgres).start();
    try {
      expect([container.getDatabase(), container.getUsername(), container.getPassword()]).toEqual(['test', 'test', 'test']);
      expect(container.getConnectionUri()).toBe(`postgres://test:test@${container.getHost()}:${container.getPort()}/test`);
      const client = new pg.Client({ connectionString: container.getConnectionUri() });
      await client.connect();
      try {
        await client.query('CREATE TABLE berth_items (id serial PRIMARY KEY, name text NOT NULL)');
        await client.query('INSERT INTO berth_items (name) VALUES ($1), ($2)', ['anchor', 'rope']);
        const { rows } = await client.query('SELECT name FROM berth_items ORDER BY id');
        expect(rows.map((r) => r.name)).toEqual(['anchor', 'rope']);
        const who = await client.query('SELECT current_user AS user, current_database() AS db');
        expect(who.rows[0]).toEqual({ user: 'test', db: 'test' });
      } finally {
        await client.end();
      }
    } finally {
      await container.stop();
    }
    expect(await eventually(() => !containerDirExists(container.getId()))).toBe(true);
  });

  it('uses the database, user and password given, and refuses a wrong password', async () => {
    await using container = await new PostgreSqlContainer(fixtures().postgres)
      .withDatabase('shop')
      .withUsername('clerk')
      .withPassword('p@ss/word')
      .start();
    expect(container.getConnectionUri()).toBe(`postgres://clerk:p%40ss%2Fword@${container.getHost()}:${container.getPort()}/shop`);
    const client = new pg.Client({ connectionString: container.getConnectionUri() });
    await client.connect();
    const { rows } = await client.query('SELECT current_user AS user, current_database() AS db');
    await client.end();
    expect(rows[0]).toEqual({ user: 'clerk', db: 'shop' });

    const wrong = new pg.Client({
      host: container.getHost(),
      port: container.getPort(),
      database: 'shop',
      user: 'clerk',
      password: 'not-it',
    });
    await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' }); // invalid_password
    await wrong.end().catch(() => undefined);
  });
  it('is not ready on a ready line while the server does not answer over TCP', async () => {
    // Like the official image, whose init server prints the same line on a unix socket only.
    const early = 'echo "database system is ready to accept connections"; sleep 2; exec /usr/local/bin/berth-postgres';
    await using container = await new PostgreSqlContainer(fixtures().postgres).withEntrypoint(['sh', '-c', early]).start();
    expect((await container.output()).match(/ready to accept connections/g)).toHaveLength(2);
    const client = new pg.Client({ connectionString: container.getConnectionUri() });
    await client.connect();
    const { rows } = await client.query('SELECT 1 AS one');
    await client.end();
    expect(rows).toEqual([{ one: 1 }]);
  });
});

describe('RedisContainer', () => {
  it('serves set and get to node-redis without a password', async () => {
    await using container = await new RedisContainer(fixtures().redis).start();
    expect(container.getConnectionUrl()).toBe(`redis://${container.getHost()}:${container.getPort()}`);
    expect(container.getPassword()).toBeUndefined();
    const client = await createClient({ url: container.getConnectionUrl() }).connect();
    try {
      await client.set('berth:greeting', 'ahoy');
      expect(await client.get('berth:greeting')).toBe('ahoy');
    } finally {
      client.destroy();
    }
    expect((await container.executeCliCmd('get', ['berth:greeting'])).trim()).toBe('ahoy');
  });

  it('requires the password given, and redis-cli uses it', async () => {
    await using container = await new RedisContainer(fixtures().redis).withPassword('s3cret').start();
    expect(container.getConnectionUrl()).toBe(`redis://:s3cret@${container.getHost()}:${container.getPort()}`);

    // node-redis opens with HELLO, which the server refuses before AUTH.
    const anonymous = createClient({ url: `redis://${container.getHost()}:${container.getPort()}`, socket: { reconnectStrategy: false } });
    await expect(anonymous.connect()).rejects.toThrow(/NOAUTH/);
    if (anonymous.isOpen) anonymous.destroy();
    const client = await createClient({ url: container.getConnectionUrl() }).connect();
    try {
      await client.set('counter', '41');
      await client.incr('counter');
    } finally {
      client.destroy();
    }
    expect((await container.executeCliCmd('get', ['counter'])).trim()).toBe('42');
    await expect(container.executeCliCmd('nosuchcommand')).resolves.toContain('unknown command');
  });
});

describe('NginxContainer', () => {
  it('serves content given by path and from a host directory on the mapped port', async () => {
    const site = dirs.make();
    fs.mkdirSync(join(site, 'docs'));
    fs.writeFileSync(join(site, 'docs', 'guide.txt'), 'from the host directory\n');
    await using web = await new NginxContainer(fixtures().nginx)
      .withStaticContent({ 'index.html': '<h1>berth</h1>', 'css/site.css': Buffer.from('body{}') })
      .withStaticContent(site)
      .start();
    expect(web.getBaseUrl()).toBe(`http://${web.getHost()}:${web.getPort()}`);
    for (const [path, body] of [
      ['/', '<h1>berth</h1>'],
      ['/css/site.css', 'body{}'],
      ['/docs/guide.txt', 'from the host directory\n'],
    ]) {
      const response = await request(`${web.getBaseUrl()}${path}`, { reset: true });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe(body);
    }
    const missing = await request(`${web.getBaseUrl()}/nope.html`, { reset: true });
    await missing.body.dump();
    expect(missing.statusCode).toBe(404);
  });

  it('refuses content outside the web root and directories that do not exist', () => {
    const nginx = new NginxContainer(fixtures().nginx);
    expect(() => nginx.withStaticContent({ '../etc/passwd': 'x' })).toThrow(InvalidSpecError);
    expect(() => nginx.withStaticContent('/nonexistent/berth-site')).toThrow(InvalidSpecError);
    expect(() => nginx.withWebRoot('relative/root')).toThrow(InvalidSpecError);
  });
});
