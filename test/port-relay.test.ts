import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import * as net from 'node:net';
import { networkInterfaces } from 'node:os';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GenericContainer, type StartedTestContainer } from '../src/index.js';

const PORT = 7000;
/** busybox nc forks this per connection: a reply per request line, so every round trip crosses the relay both ways. */
const SERVER = ['nc', '-ll', '-p', String(PORT), '-e', 'sh', '-c', 'while read -r line; do echo "re:$line"; done'];
const hasLoopbackV6 = Object.values(networkInterfaces())
  .flat()
  .some((a) => a?.family === 'IPv6' && a.address === '::1');

/** `count` requests, each sent only once the previous reply is in, over one connection to host:port. */
async function roundTrips(host: string, port: number, count: number): Promise<{ sent: string[]; replies: string[] }> {
  const socket = net.connect(port, host);
  await once(socket, 'connect');
  const lines = createInterface({ input: socket })[Symbol.asyncIterator]();
  const sent: string[] = [];
  const replies: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const request = `req-${i}-${'x'.repeat(i % 64)}`;
      sent.push(request);
      socket.write(`${request}\n`);
      const { value, done } = await lines.next();
      if (done) break; // The test names what is missing.
      replies.push(value);
    }
  } finally {
    socket.destroy();
  }
  return { sent, replies };
}

describe('published TCP port: request/response through the relay', () => {
  let server: StartedTestContainer;

  beforeAll(async () => {
    // A published port: start() waits for nc to listen (the default wait strategy).
    server = await new GenericContainer(inject('fixtures').busybox).withCommand(SERVER).withExposedPorts(PORT).start();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers 200 sequential small requests over one connection on 127.0.0.1, each reply whole and in order', async () => {
    const { sent, replies } = await roundTrips('127.0.0.1', server.getMappedPort(PORT), 200);
    expect(replies).toEqual(sent.map((r) => `re:${r}`));
    expect(replies).toHaveLength(200);
  });

  it('serves the same conversation on the container address (the relay changes nothing)', async () => {
    const { sent, replies } = await roundTrips(server.getIpAddress('berth'), PORT, 20);
    expect(replies).toEqual(sent.map((r) => `re:${r}`));
  });

  it.skipIf(!hasLoopbackV6)(
    hasLoopbackV6 ? 'answers over IPv6: a client on [::1] reaches the published port' : 'IPv6 [::1] client (skipped: this host has no ::1)',
    async () => {
      const { sent, replies } = await roundTrips('::1', server.getMappedPort(PORT), 50);
      expect(replies).toEqual(sent.map((r) => `re:${r}`));
      expect(replies).toHaveLength(50);
    },
  );
});

describe('published UDP port', () => {
  it('answers 50 sequential datagrams through 127.0.0.1:<mapped port>, each reply matching its request', async () => {
    // busybox nc has no UDP; Debian's perl-base has sockets.
    const reply =
      'my $s = IO::Socket::INET->new(LocalPort => 5353, Proto => "udp") or die; while ($s->recv(my $m, 1024)) { $s->send("re:$m") }';
    await using c = await new GenericContainer(inject('fixtures').debian)
      .withCommand(['perl', '-MIO::Socket::INET', '-e', reply])
      .withExposedPorts('5353/udp')
      .start();
    const socket = createSocket('udp4');
    const received: string[] = [];
    socket.on('message', (m) => received.push(String(m)));
    const sent: string[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        sent.push(`dgram-${i}`);
        if (!(await ask(socket, `dgram-${i}`, c.getMappedPort(5353, 'udp')))) break; // The assertion names what is missing.
      }
    } finally {
      socket.close();
    }
    // Resends may bring a reply twice; every reply must be one asked for, all of them, in order.
    expect([...new Set(received)]).toEqual(sent.map((r) => `re:${r}`));
    expect(sent).toHaveLength(50);
  });
});

/**
 * Sends `request` until its reply comes (UDP may drop, and the first datagram
 * may come before the server binds); false after 25 tries, 5 s.
 */
function ask(socket: Socket, request: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let tries = 0;
    const send = (): void => {
      if (tries++ < 25) socket.send(request, port, '127.0.0.1');
      else done(false);
    };
    const timer = setInterval(send, 200);
    const onMessage = (m: Buffer): void => {
      if (String(m) === `re:${request}`) done(true);
    };
    const done = (answered: boolean): void => {
      clearInterval(timer);
      socket.off('message', onMessage);
      resolve(answered);
    };
    socket.on('message', onMessage);
    send();
  });
}
