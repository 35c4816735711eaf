import { execFileSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import * as fs from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  GenericContainer,
  getEngine,
  InvalidSpecError,
  type StartedTestContainer,
  StartupTimeoutError,
  Wait,
  WaitStrategyError,
} from '../src/index.js';
import { pause } from '../src/sdk/wait/wait-strategy.js';
import { onDocker } from './support/backend.js';
import { containerDirExists } from './support/leaks.js';
import { TempDirs } from './support/temp-dirs.js';

const busybox = (): string => inject('fixtures').busybox;
const temp = new TempDirs('berth-wait-');
afterAll(() => temp.removeAll());

async function expectRemoved(name: string): Promise<void> {
  await expect(getEngine().inspectContainer(name)).rejects.toThrow(/no such container/);
  expect(containerDirExists(name)).toBe(false);
}

/** busybox httpd serving /www (index.html says `hello`), with /etc/httpd.conf and a CGI echoing method and X-Token (CRLF headers: undici is strict). */
function httpd(conf = '', delay = 0): GenericContainer {
  const cgi = '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "$REQUEST_METHOD $HTTP_X_TOKEN"\n';
  return new GenericContainer(busybox())
    .withCopyContentToContainer([
      { content: 'hello\n', target: '/www/index.html' },
      { content: cgi, target: '/www/cgi-bin/echo', mode: 0o755 },
      { content: conf, target: '/etc/httpd.conf' },
    ])
    .withCommand(['sh', '-c', `echo starting; sleep ${delay}; exec httpd -f -v -p 80 -h /www -c /etc/httpd.conf`])
    .withExposedPorts(80);
}

describe('listening ports', () => {
  it('is the default with published ports: start() resolves once the server listens inside', async () => {
    const started = Date.now();
    await using c = await httpd('', 0.5).start();
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    const response = await fetch(`http://127.0.0.1:${c.getMappedPort(80)}/index.html`);
    expect(await response.text()).toBe('hello\n');
  });

  it('is not fooled by the port proxy: a published port nothing listens on times out, and the container goes', async () => {
    const name = `ports-timeout-${process.pid}`;
    const error = await new GenericContainer(busybox())
      .withName(name)
      .withCommand(['sh', '-c', 'echo no server here; sleep 1000'])
      .withExposedPorts(80)
      .withStartupTimeout(1000)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimeoutError);
    const timeout = error as StartupTimeoutError;
    expect(timeout.strategy).toBe('listening ports (not yet: 80/tcp)');
    expect(timeout.waitedMs).toBeGreaterThanOrEqual(1000);
    expect(timeout.lastLogLines).toEqual(['no server here\n']);
    await expectRemoved(name);
  });

  it('UDP: a bound socket inside is enough (read from /proc/net/udp)', async () => {
    const bind = 'select(undef, undef, undef, 0.3); my $s = IO::Socket::INET->new(LocalPort => 5353, Proto => "udp") or die; sleep 1000';
    await using c = await new GenericContainer(inject('fixtures').debian)
      .withCommand(['perl', '-MIO::Socket::INET', '-e', bind])
      .withExposedPorts('5353/udp')
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    const udp = fs.readFileSync(`/proc/${(await c.inspect()).State.Pid}/net/udp`, 'utf8');
    expect(udp).toContain(':14E9 ');
  });

  it('fails at once when the container exits', async () => {
    const error = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'echo bad config; exit 1'])
      .withExposedPorts(80)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitStrategyError);
    expect((error as WaitStrategyError).message).toContain('stopped before it was ready');
  });
});

describe('http', () => {
  it('status code, response predicate, basic credentials', async () => {
    await using c = await httpd('/:user:pass\n')
      .withWaitStrategy(
        Wait.forHttp('/index.html', 80)
          .withBasicCredentials('user', 'pass')
          .forStatusCode(200)
          .forResponsePredicate((body) => body === 'hello\n'),
      )
      .start();
    const unauthorised = await fetch(`http://127.0.0.1:${c.getMappedPort(80)}/index.html`);
    expect(unauthorised.status).toBe(401);
  });

  it('times out naming the request and its last answer (401 without credentials)', async () => {
    const name = `http-timeout-${process.pid}`;
    const error = await httpd('/:user:pass\n')
      .withName(name)
      .withWaitStrategy(Wait.forHttp('/index.html', 80).forStatusCodeMatching((s) => s < 400))
      .withStartupTimeout(1000)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimeoutError);
    expect((error as StartupTimeoutError).strategy).toBe('http GET /index.html on 80/tcp (last: status 401)');
    expect((error as StartupTimeoutError).lastLogLines[0]).toBe('starting\n');
    await expectRemoved(name);
  });

  it('method and headers reach the server', async () => {
    await using _c = await httpd()
      .withWaitStrategy(
        Wait.forHttp('/cgi-bin/echo', 80)
          .withMethod('POST')
          .withHeaders({ 'X-Token': 'abc' })
          .forResponsePredicate((body) => body === 'POST abc\n'),
      )
      .start();
  });

  it('a read timeout shorter than the answer is not ready', async () => {
    const slow = '#!/bin/sh\nsleep 1\nprintf "Content-Type: text/plain\\r\\n\\r\\nlate\\n"\n';
    const error = await httpd()
      .withCopyContentToContainer([{ content: slow, target: '/www/cgi-bin/slow', mode: 0o755 }])
      .withWaitStrategy(Wait.forHttp('/cgi-bin/slow', 80).withReadTimeout(200))
      .withStartupTimeout(1500)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimeoutError);
    expect((error as StartupTimeoutError).strategy).toMatch(/last: no answer within 200 ms\)$/);
  });

  it('a body that trickles is given up on at the read timeout, poll after poll, and the startup timeout still fires', async () => {
    // Headers, then a byte every 100 ms forever: an idle timer never fires on it.
    const drip = '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\nwhile :; do printf x; usleep 100000; done\n';
    const error = await httpd()
      .withCopyContentToContainer([{ content: drip, target: '/www/cgi-bin/drip', mode: 0o755 }])
      .withWaitStrategy(
        Wait.forHttp('/cgi-bin/drip', 80)
          .withReadTimeout(400)
          .forResponsePredicate(() => true),
      )
      .withStartupTimeout(2500)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimeoutError);
    // Had a poll hung, the startup deadline would have cut it with nothing seen.
    expect((error as StartupTimeoutError).strategy).toBe(
      'http GET /cgi-bin/drip on 80/tcp (last: status 200, body not read within 400 ms)',
    );
  });

  describe('a 512 MiB endpoint', () => {
    const BIG = 512 * 1024 * 1024;
    /** httpd serving /www/big: 512 MiB of zeros, a sparse file made in the container. */
    const bigFile = (): GenericContainer =>
      httpd().withCommand(['sh', '-c', `truncate -s ${BIG} /www/big && echo starting && exec httpd -f -v -p 80 -h /www`]);
    /** Bytes the container sent out of eth0 (to the port proxy, which relays to the strategy), from its /proc/net/dev. */
    const sentBytes = async (c: StartedTestContainer): Promise<number> => {
      const { output } = await c.exec(['cat', '/proc/net/dev']);
      const fields = /^\s*eth0:\s*(.*)$/m.exec(output)?.[1]?.trim().split(/\s+/);
      if (!fields) throw new Error(`no eth0 in /proc/net/dev:\n${output}`);
      return Number(fields[8]); // 8 receive columns, then transmit bytes
    };
    /** Far below the file, far above what socket and relay buffers can hold in flight. */
    const FEW_BUFFERS = 64 * 1024 * 1024;

    it('a status check reads no body: the strategy is ready without downloading it', async () => {
      await using c = await bigFile().withWaitStrategy(Wait.forHttp('/big', 80)).start();
      expect(await sentBytes(c)).toBeLessThan(FEW_BUFFERS);
      // The file is really there and served whole to a client that asks for it.
      const response = await fetch(`http://127.0.0.1:${c.getMappedPort(80)}/big`, { method: 'HEAD' });
      expect(Number(response.headers.get('content-length'))).toBe(BIG);
    });

    it('a response predicate sees at most the bound, and a timeout says the body was cut', async () => {
      const seen: number[] = [];
      await using c = await bigFile()
        .withWaitStrategy(Wait.forHttp('/big', 80).forResponsePredicate((body) => seen.push(body.length) > 0))
        .start();
      expect(seen).toEqual([1024 * 1024]);
      expect(await sentBytes(c)).toBeLessThan(FEW_BUFFERS);

      const error = await bigFile()
        .withWaitStrategy(
          Wait.forHttp('/big', 80)
            .withMaxBodyBytes(4096)
            .forResponsePredicate((body) => body.length > 4096),
        )
        .withStartupTimeout(1500)
        .start()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupTimeoutError);
      expect((error as StartupTimeoutError).strategy).toBe('http GET /big on 80/tcp (last: status 200, body cut at 4096 bytes)');
    });

    it('refuses a body bound that is not a whole number of bytes', () => {
      expect(() => Wait.forHttp('/big', 80).withMaxBodyBytes(0)).toThrow(InvalidSpecError);
      expect(() => Wait.forHttp('/big', 80).withMaxBodyBytes(1.5)).toThrow(/withMaxBodyBytes\(1\.5\)/);
    });
  });

  it.skipIf(onDocker)(
    'TLS: usingTls() needs allowInsecure() for a self-signed certificate (local engine only: the relay reaches the host as host.berth.internal, a name the Docker engine does not give)',
    async () => {
      // busybox has no TLS server: the container's port 443 relays (nc) to an HTTPS server on the host.
      const dir = temp.make();
      const key = join(dir, 'key.pem');
      const cert = join(dir, 'cert.pem');
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
          '-keyout',
          key,
          '-out',
          cert,
          '-subj',
          '/CN=localhost',
          '-days',
          '1',
        ]),
        { stdio: 'ignore' },
      );
      const server = createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) => res.end('secure'));
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
      const port = (server.address() as AddressInfo).port;
      const relay = () =>
        new GenericContainer(busybox())
          .withCommand(['nc', '-ll', '-p', '443', '-e', 'nc', 'host.berth.internal', String(port)])
          .withExposedPorts(443);
      try {
        let seen = '';
        await using _c = await relay()
          .withWaitStrategy(
            Wait.forHttp('/', 443)
              .usingTls()
              .allowInsecure()
              .forResponsePredicate((body) => {
                seen = body;
                return true;
              }),
          )
          .start();
        expect(seen).toBe('secure');
        const error = await relay()
          .withWaitStrategy(Wait.forHttp('/', 443).usingTls())
          .withStartupTimeout(1000)
          .start()
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StartupTimeoutError);
        expect((error as StartupTimeoutError).strategy).toMatch(/^https GET \/ on 443\/tcp \(last: .*self.signed/);
      } finally {
        server.close();
      }
    },
  );
});

describe('composite', () => {
  it('a timeout names what each part last saw', async () => {
    const error = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'echo up; sleep 1000'])
      .withExposedPorts(80)
      .withWaitStrategy(Wait.forAll([Wait.forLogMessage('up'), Wait.forListeningPorts()]))
      .withStartupTimeout(600)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimeoutError);
    expect((error as StartupTimeoutError).strategy).toBe('all of [log message up, listening ports (not yet: 80/tcp)]');
  });
});

describe('successful command', () => {
  it('runs the command until it exits 0', async () => {
    await using c = await new GenericContainer(busybox())
      .withCommand(['sh', '-c', 'sleep 0.4; touch /tmp/ready; sleep 1000'])
      .withWaitStrategy(Wait.forSuccessfulCommand('test -f /tmp/ready'))
      .start();
    expect((await c.exec(['ls', '/tmp/ready'])).exitCode).toBe(0);
  });

  it('times out with the last exit code and output', async () => {
    const name = `command-timeout-${process.pid}`;
    const error = await new GenericContainer(busybox())
      .withName(name)
      .withCommand(['sh', '-c', 'echo waiting; sleep 1000'])
      .withWaitStrategy(Wait.forSuccessfulCommand(['cat', '/tmp/never']))
      .withStartupTimeout(800)
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimeoutError);
    const timeout = error as StartupTimeoutError;
    expect(timeout.strategy).toBe(
      "successful command \"cat /tmp/never\" (last: exit 1: cat: can't open '/tmp/never': No such file or directory)",
    );
    expect(timeout.lastLogLines).toEqual(['waiting\n']);
    await expectRemoved(name);
  });
});

describe('polling', () => {
  it('leaves no abort listener behind on the startup signal after each pause', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await pause(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const pending = pause(10_000, controller.signal);
    controller.abort(new Error('startup timeout'));
    await expect(pending).rejects.toThrow('startup timeout');
  });
});
