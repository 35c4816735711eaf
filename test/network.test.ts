import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import getPort from 'get-port';
import { request } from 'undici';
import { describe, expect, inject, it } from 'vitest';
import { readOr } from '../src/engine/state/files.js';
import { GenericContainer, getEngine, LocalEngine, Network, NetworkNotFoundError, PortInUseError } from '../src/index.js';
import { berthLinks } from '../src/net/bridge-lifecycle.js';
import { berthTables, tableName } from '../src/net/firewall.js';
import { chooseSubnet } from '../src/net/ipam.js';
import { overlaps, parseIPv4, parseSubnet } from '../src/net/ipv4.js';
import { vethName } from '../src/net/network-names.js';
import { NetworkStore } from '../src/net/network-store.js';
import { eventually, processExists } from './support/leaks.js';

const busybox = (): string => inject('fixtures').busybox;

/** A busybox httpd serving `text` at /index.html on `port`. */
function httpd(text: string, port = 80): GenericContainer {
  return new GenericContainer(busybox()).withCommand([
    'sh',
    '-c',
    `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p ${port} -h /www`,
  ]);
}

async function get(url: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { body } = await request(url);
      return (await body.text()).trim();
    } catch (error) {
      // httpd runs a moment after start() returns.
      if (attempt > 50) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Runs `script` in a busybox container with `configure` applied; returns its output once it exits. */
async function runIn(script: string, configure: (c: GenericContainer) => GenericContainer): Promise<string> {
  const c = await configure(new GenericContainer(busybox()).withCommand(['sh', '-c', script])).start();
  try {
    await c.wait();
    return (await c.output()).trim();
  } finally {
    await c.stop();
  }
}

describe('bridge networking', () => {
  it('gives a container an address on the default network that the host reaches', async () => {
    await using c = await httpd('direct').start();
    const [name] = c.getNetworkNames();
    expect(name).toBe('berth');
    const ip = c.getIpAddress('berth');
    expect(ip).toMatch(/^10\.213\.\d+\.\d+$/);
    expect(await get(`http://${ip}/index.html`)).toBe('direct');
  });

  it('none mode has only loopback; host mode shares the host network', async () => {
    const none = await runIn('cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "', (c) => c.withNetworkMode('none'));
    expect(none).toBe('lo');
    const host = await runIn('cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | sort', (c) => c.withNetworkMode('host'));
    expect(host.split('\n')).toContain('eth0');
  });
});

describe('subnets', () => {
  it('avoids a host route and a local address in its pool, and the subnets of other networks', async () => {
    // The bridges' own /24 routes are more specific, so running containers keep working meanwhile.
    execFileSync('ip', ['route', 'add', 'blackhole', '10.213.0.0/20']);
    execFileSync('ip', ['address', 'add', '10.213.16.9/32', 'dev', 'lo']);
    try {
      const taken = await getEngine().listNetworks();
      const chosen = chooseSubnet(new NetworkStore().list());
      expect(chosen.base >= parseIPv4('10.213.17.0')).toBe(true);
      for (const n of taken) expect(overlaps(chosen, parseSubnet(n.IPAM.Config[0]?.Subnet ?? ''))).toBe(false);
    } finally {
      execFileSync('ip', ['address', 'del', '10.213.16.9/32', 'dev', 'lo']);
      execFileSync('ip', ['route', 'del', 'blackhole', '10.213.0.0/20']);
    }
  });
});

describe('published ports', () => {
  it('reaches busybox httpd through 127.0.0.1:<mapped port>, on a port outside the ephemeral range', async () => {
    await using c = await httpd('mapped').withExposedPorts(80).start();
    const port = c.getMappedPort(80);
    expect(port === c.getFirstMappedPort()).toBe(true);
    expect(port < 32768 || port > 60999).toBe(true);
    expect(await get(`http://${c.getHost()}:${port}/index.html`)).toBe('mapped');
    expect(await get(`http://[::1]:${port}/index.html`)).toBe('mapped');
  });

  it('relays a large download byte for byte', async () => {
    await using c = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'mkdir /www && head -c 8388608 /dev/urandom > /www/big && md5sum /www/big && exec httpd -f -p 80 -h /www'])
      .withExposedPorts(80)
      .start();
    let body = Buffer.alloc(0);
    for (let attempt = 0; body.length !== 8 * 2 ** 20 && attempt < 100; attempt++) {
      await new Promise((r) => setTimeout(r, 20));
      body = await request(`http://127.0.0.1:${c.getMappedPort(80)}/big`)
        .then(async (r) => Buffer.from(await r.body.arrayBuffer()))
        .catch(() => Buffer.alloc(0));
    }
    const { createHash } = await import('node:crypto');
    expect((await c.output()).split(' ')[0]).toBe(createHash('md5').update(body).digest('hex'));
  });

  it('never shadows a host process listening on the port: a typed error, nothing left behind', async () => {
    const server = net.createServer((s) => s.end('host'));
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      await expect(httpd('x').withExposedPorts({ container: 80, host: port }).start()).rejects.toBeInstanceOf(PortInUseError);
      const reply = await new Promise<string>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.on('data', (d) => resolve(String(d)));
      });
      expect(reply).toBe('host');
    } finally {
      server.close();
    }
  });

  it('a container reaches its own published port through the gateway (hairpin)', async () => {
    const port = await getPort();
    await using c = await new GenericContainer(busybox())
      .withCommand([
        'sh',
        '-c',
        `mkdir /www && echo hairpin > /www/index.html && httpd -p 8080 -h /www && until wget -q -O - http://host.berth.internal:${port}/index.html; do sleep 0.1; done; sleep 100`,
      ])
      .withExposedPorts({ container: 8080, host: port })
      .start();
    expect(c.getMappedPort(8080)).toBe(port);
    const deadline = Date.now() + 5000;
    while (!(await c.output()).includes('hairpin') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await c.output()).toContain('hairpin');
  });

  it('publishes UDP: an echo server in the container answers through the mapped port', async () => {
    // busybox nc has no UDP; Debian's perl-base has sockets.
    const echo = 'my $s = IO::Socket::INET->new(LocalPort => 5353, Proto => "udp") or die; while ($s->recv(my $m, 1024)) { $s->send($m) }';
    await using c = await new GenericContainer(inject('fixtures').debian)
      .withCommand(['perl', '-MIO::Socket::INET', '-e', echo])
      .withExposedPorts('5353/udp')
      .start();
    const port = c.getMappedPort(5353, 'udp');
    const { createSocket } = await import('node:dgram');
    const socket = createSocket('udp4');
    try {
      const reply = await new Promise<string>((resolve) => {
        socket.on('message', (m) => resolve(String(m)));
        const send = (): void => socket.send('ping\n', port, '127.0.0.1');
        send();
        const timer = setInterval(send, 100);
        socket.once('message', () => clearInterval(timer));
      });
      expect(reply).toBe('ping\n');
    } finally {
      socket.close();
    }
  });
});

describe('user networks', () => {
  it('resolves names and aliases both ways, also for a container that joins later', async () => {
    await using network = await new Network().start();
    // a starts first, serves, and keeps asking for "beta", which does not exist yet.
    await using a = await new GenericContainer(busybox())
      .withCommand([
        'sh',
        '-c',
        'mkdir /www && echo from-a > /www/index.html && httpd -p 80 -h /www && until wget -q -O - http://beta/index.html; do sleep 0.1; done; sleep 100',
      ])
      .withNetwork(network)
      .withNetworkAliases('alpha')
      .start();
    await using b = await httpd('from-b').withNetwork(network).withNetworkAliases('beta').start();
    expect(await runIn('wget -q -O - http://alpha/index.html', (c) => c.withNetwork(network))).toBe('from-a');
    expect(await runIn(`wget -q -O - http://${a.getName().slice(1)}/index.html`, (c) => c.withNetwork(network))).toBe('from-a');
    expect(await runIn(`wget -q -O - http://${b.getName().slice(1)}/index.html`, (c) => c.withNetwork(network))).toBe('from-b');
    const deadline = Date.now() + 5000;
    while (!(await a.output()).includes('from-b') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await a.output()).toContain('from-b');
  });

  it('connects a running container to another network and disconnects it again', async () => {
    await using one = await new Network().start();
    await using two = await new Network().start();
    await using server = await httpd('moved').withNetwork(one).start();
    await getEngine().connectNetwork(two.getName(), server.getId(), { aliases: ['late'] });
    const info = await server.inspect();
    expect(Object.keys(info.NetworkSettings.Networks).sort()).toEqual([one.getName(), two.getName()].sort());
    expect(await runIn('wget -q -O - http://late/index.html', (c) => c.withNetwork(two))).toBe('moved');
    await getEngine().disconnectNetwork(two.getName(), server.getId());
    expect(Object.keys((await server.inspect()).NetworkSettings.Networks)).toEqual([one.getName()]);
    const after = await runIn('exec 2>/dev/null; wget -q -T 1 -O - http://late/index.html || echo gone', (c) => c.withNetwork(two));
    expect(after).toBe('gone');
  });

  it('keeps networks apart', async () => {
    await using one = await new Network().start();
    await using two = await new Network().start();
    await using server = await httpd('secret').withNetwork(one).start();
    const ip = server.getIpAddress(one.getName());
    const out = await runIn(`exec 2>/dev/null; wget -q -T 1 -O - http://${ip}/index.html || echo blocked`, (c) => c.withNetwork(two));
    expect(out).toBe('blocked');
  });

  it('with ICC off, containers on one network cannot talk', async () => {
    await using network = await new Network({ icc: false }).start();
    await using server = await httpd('icc').withNetwork(network).start();
    const ip = server.getIpAddress(network.getName());
    const out = await runIn(`exec 2>/dev/null; wget -q -T 1 -O - http://${ip}/index.html || echo blocked`, (c) => c.withNetwork(network));
    expect(out).toBe('blocked');
    expect(await get(`http://${ip}/index.html`)).toBe('icc'); // The host still can.
  });

  it('reaches a port on the host as host.testcontainers.internal', async () => {
    const server = http.createServer((_req, res) => res.end('from-host'));
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const out = await runIn(`wget -q -O - http://host.testcontainers.internal:${port}/`, (c) => c);
      expect(out).toBe('from-host');
    } finally {
      server.close();
    }
  });

  it('extra hosts land in /etc/hosts', async () => {
    const out = await runIn('grep my.host /etc/hosts', (c) => c.withExtraHosts([{ host: 'my.host', ipAddress: '10.1.2.3' }]));
    expect(out).toBe('10.1.2.3\tmy.host');
  });
});

describe('beside a dockerd', () => {
  const dockerUser = spawnSync('iptables', ['-w', '-S', 'DOCKER-USER'], { encoding: 'utf8' });
  it.skipIf(dockerUser.status !== 0)(
    'accepts berth bridge traffic in DOCKER-USER, ahead of its RETURN, while a network exists',
    async () => {
      await using network = await new Network().start();
      // A second network finds the rules in place and adds no copies.
      await using second = await new Network().start();
      const rules = spawnSync('iptables', ['-w', '-S', 'DOCKER-USER'], { encoding: 'utf8' }).stdout.split('\n');
      const isBerth = (r: string) => r.includes('berth+') && r.includes('--comment berth') && r.endsWith('-j ACCEPT');
      expect(rules.filter(isBerth)).toHaveLength(2);
      expect(second.getName()).not.toBe(network.getName());
      const berth = rules.findIndex((r) => r.includes('-i berth+') && isBerth(r));
      expect(berth).toBeGreaterThan(0);
      const ret = rules.indexOf('-A DOCKER-USER -j RETURN');
      if (ret >= 0) expect(berth).toBeLessThan(ret);
      expect(network.getName()).toMatch(/^berth-net-/);
    },
  );

  const bridgedThroughIptables = readOr('/proc/sys/net/bridge/bridge-nf-call-iptables').trim() === '1';
  const forwardDrop = spawnSync('iptables', ['-w', '-S', 'FORWARD'], { encoding: 'utf8' }).stdout?.includes('-P FORWARD DROP') ?? false;
  it.skipIf(!(bridgedThroughIptables && forwardDrop))(
    'containers on one network talk although br_netfilter sends their frames through a FORWARD DROP',
    async () => {
      await using network = await new Network().start();
      await using server = await httpd('through-docker').withNetwork(network).withNetworkAliases('web').start();
      expect(await runIn('wget -q -O - http://web/index.html', (c) => c.withNetwork(network))).toBe('through-docker');
      expect(server.getNetworkNames()).toEqual([network.getName()]);
    },
  );
});

describe('cleanup', () => {
  // Other test files run containers at the same time, so each check is about what this test made.
  it('50 start/stop cycles with a published port leave no bridge, veth or nft table', async () => {
    const network = await new Network().start();
    const info = await getEngine().inspectNetwork(network.getName());
    const veths: string[] = [];
    for (let i = 0; i < 50; i++) {
      // A listener: start() waits for the published port to listen inside (the default wait strategy).
      const c = await new GenericContainer(busybox())
        .withCommand(['httpd', '-f', '-p', '80'])
        .withNetwork(network)
        .withExposedPorts(80)
        .start();
      veths.push(vethName(c.getId(), 0));
      await c.stop();
    }
    await network.stop();
    // The kernel tears a dead container's netns (and its veth) down later, in a work queue: 50 of them
    // behind the rest of a loaded suite took more than 2 s once.
    const made = [...veths, info.Options['com.docker.network.bridge.name']];
    const left = (): string[] => berthLinks().filter((l) => made.includes(l));
    await eventually(() => left().length === 0, 10_000);
    expect(left()).toEqual([]); // Names what is left, should some link stay.
    expect(berthTables()).not.toContain(tableName({ id: info.Id }));
  });

  it('SIGKILL of the owning process: the next engine sweeps bridge, veth, rules and network; the host ports are free', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', 'test/support/network-owner.ts', busybox()], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(owner.stdout, 'data')) as [Buffer];
    const { ids, pids, ports, network } = JSON.parse(line.toString()) as {
      ids: string[];
      pids: number[];
      ports: number[];
      network: string;
    };
    const info = await getEngine().inspectNetwork(network);
    const made = [info.Options['com.docker.network.bridge.name'], ...ids.map((id) => vethName(id, 0))];
    expect(berthLinks().filter((l) => made.includes(l))).toHaveLength(made.length);
    owner.kill('SIGKILL');
    await once(owner, 'exit');
    expect(await eventually(() => pids.every((p) => !processExists(p)))).toBe(true);

    // This engine's sweep, or that of an engine another test file starts meanwhile, takes it.
    await new LocalEngine().networkSweep;
    expect(await eventually(() => berthLinks().filter((l) => made.includes(l)).length === 0)).toBe(true);
    expect(berthTables()).not.toContain(tableName({ id: info.Id }));
    await expect(getEngine().inspectNetwork(network)).rejects.toBeInstanceOf(NetworkNotFoundError);
    for (const port of ports) {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve));
      server.close();
    }
  });
});
