/** Conformance case for user networks: containers reach each other by name and alias. */
import { expect } from 'vitest';
import { NetworkError, NetworkNotFoundError } from '../../src/index.js';
import { eventually } from '../support/leaks.js';
import { HTTPD } from './containers.js';
import type { CaseFn } from './describe-engine.js';
import type { SuiteContext } from './suite-context.js';

export function networkCases(ctx: SuiteContext, test: CaseFn): void {
  test('network', 'creates a network where containers reach each other by name and alias, and removes it', async () => {
    const { engine } = ctx;
    const network = ctx.name('net');
    ctx.networks.add(network);
    const created = await engine.createNetwork(network, { labels: { purpose: ctx.prefix } });
    expect(created).toMatchObject({ Name: network, Driver: 'bridge', Labels: { purpose: ctx.prefix } });
    expect(created.IPAM.Config[0]?.Subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect((await engine.listNetworks()).map((n) => n.Name)).toContain(network);

    const web = ctx.name('web');
    const server = await ctx.run(HTTPD, { name: web, networkMode: network, networks: { [network]: { aliases: ['web-alias'] } } });
    const client = await ctx.run(['sleep', '60'], { networkMode: network });
    await ctx.outputHas(server, 'listening');
    const fetch = async (host: string): Promise<string> => {
      let body = '';
      await eventually(async () => {
        body = (await engine.execContainer(client, { cmd: ['wget', '-q', '-O', '-', `http://${host}:8080/`] })).stdout;
        return body !== '';
      }, 10_000);
      return body;
    };
    expect(await fetch(web)).toBe('hello from berth\n');
    expect(await fetch('web-alias')).toBe('hello from berth\n');
    const members = Object.values((await engine.inspectNetwork(network)).Containers);
    expect(members.map((m) => m.Name).sort()).toEqual([web, (await engine.inspectContainer(client)).Name.replace(/^\//, '')].sort());

    await expect(engine.removeNetwork(network)).rejects.toBeInstanceOf(NetworkError); // In use.
    await engine.removeContainer(server, { force: true });
    await engine.removeContainer(client, { force: true });
    await engine.removeNetwork(network);
    await expect(engine.inspectNetwork(network)).rejects.toBeInstanceOf(NetworkNotFoundError);
    expect((await engine.listNetworks()).map((n) => n.Name)).not.toContain(network);
  });

  test('network-connect', 'connects a running container to a network, under an alias, and disconnects it', async () => {
    const { engine } = ctx;
    const network = ctx.name('net');
    ctx.networks.add(network);
    await engine.createNetwork(network);
    const web = ctx.name('web');
    const server = await ctx.run(HTTPD, { name: web, networkMode: network });
    // On a user network of its own first: Docker's containers resolve peers' names on user networks only.
    const home = ctx.name('net');
    ctx.networks.add(home);
    await engine.createNetwork(home);
    const client = await ctx.run(HTTPD, { name: ctx.name('client'), networkMode: home });
    await ctx.outputHas(server, 'listening');
    await ctx.outputHas(client, 'listening');
    await engine.connectNetwork(network, client, { aliases: ['late'] });
    const info = await engine.inspectContainer(client);
    expect(info.NetworkSettings.Networks[network]?.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // busybox's own timeout: its wget -T crashes (Debian's busybox 1.35).
    const wget = (host: string) => engine.execContainer(client, { cmd: ['timeout', '3', 'wget', '-q', '-O', '-', `http://${host}:8080/`] });
    let last = await wget(web);
    await eventually(async () => {
      last = await wget(web);
      return last.stdout !== '';
    }, 10_000);
    expect(last).toMatchObject({ exitCode: 0, stdout: 'hello from berth\n' });
    // The alias names the client on that network: the server reaches it so.
    const back = await engine.execContainer(server, { cmd: ['timeout', '3', 'wget', '-q', '-O', '-', 'http://late:8080/'] });
    expect(back).toMatchObject({ exitCode: 0, stdout: 'hello from berth\n' });

    await engine.disconnectNetwork(network, client);
    const members = Object.values((await engine.inspectNetwork(network)).Containers).map((m) => m.Name);
    expect(members).toEqual([web]);
    expect((await wget(web)).exitCode).not.toBe(0);
  });
}
