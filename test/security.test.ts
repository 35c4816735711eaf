import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { ContainerStartError, ContainerUserError, GenericContainer, getEngine, InvalidSpecError, type Ulimit } from '../src/index.js';
import { eventually } from './support/leaks.js';
import { buildProbe } from './support/probes.js';

const busybox = (): string => inject('fixtures').busybox;

/** Docker's default capability set (moby oci/caps/defaults.go). */
const DOCKER_CAPS = 0xa80425fbn;
const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;
const CAP_CHOWN = 0n;
const CAP_NET_RAW = 13n;

/** Runs `script` with sh in a fresh busybox container and returns its output and exit code. */
async function run(script: string, configure: (c: GenericContainer) => GenericContainer = (c) => c) {
  const container = await configure(new GenericContainer(busybox()).withCommand(['sh', '-c', script])).start();
  try {
    const { exitCode } = await container.wait();
    return { exitCode, output: await container.output() };
  } finally {
    await container.stop();
  }
}

/** A field of /proc/self/status as the container's command sees it. */
async function status(field: string, configure?: (c: GenericContainer) => GenericContainer): Promise<string> {
  const { output } = await run(`grep '^${field}:' /proc/self/status`, configure);
  return output.split(':')[1]?.trim() ?? '';
}

const caps = async (configure?: (c: GenericContainer) => GenericContainer): Promise<bigint> =>
  BigInt(`0x${await status('CapEff', configure)}`);

describe('isolation', () => {
  it('sees only its own processes and its own mounts', async () => {
    const { output } = await run('ls /proc | grep -E "^[0-9]+$" | wc -l; cat /proc/1/cmdline | tr "\\0" " "; echo; cat /proc/mounts');
    const [count, init, ...mounts] = output.trim().split('\n');
    // sh, ls, grep and wc, no more: the host's processes are not there.
    expect(Number(count)).toBeLessThanOrEqual(4);
    expect(init?.trim()).toMatch(/^sh -c /);
    expect(mounts.map((m) => m.split(' ')[1])).not.toContain('/var/lib');
    expect(mounts.some((m) => m.includes(' /proc/sys proc ro,'))).toBe(true);
  });

  it('refuses mount, unshare and the syscalls the default seccomp profile blocks', async () => {
    const { output } = await run(
      'mount -t tmpfs t /mnt 2>&1; echo "mount=$?"; unshare -n true 2>&1; echo "unshare=$?"; ' +
        'hostname other 2>&1; echo "hostname=$?"; nsenter -t 1 -n true 2>&1; echo "nsenter=$?"',
    );
    expect(output).toMatch(/mount=[1-9]/);
    expect(output).toMatch(/unshare=[1-9]/);
    expect(output).toMatch(/hostname=[1-9]/);
    expect(output).toMatch(/nsenter=[1-9]/);
  });

  it('refuses keyctl and add_key (seccomp), even for root with the default capabilities', async () => {
    const probe = buildProbe('keyctl');
    const container = await new GenericContainer(busybox())
      .withCommand(['sleep', '60'])
      .withCopyFilesToContainer([{ source: probe, target: '/keyctl-probe', mode: 0o755 }])
      .start();
    try {
      const { stdout, exitCode } = await container.exec(['/keyctl-probe']);
      expect(exitCode).toBe(0);
      expect(stdout).toBe('keyctl=EPERM\nadd_key=EPERM\n');
    } finally {
      await container.stop();
    }
    // The probe itself works: on the host both calls reach the kernel.
    expect(execFileSync(probe, { encoding: 'utf8' })).not.toContain('EPERM');
  });

  it('masks /proc/timer_list and friends and keeps /proc/sys and /proc/sysrq-trigger read-only', async () => {
    const { output } = await run(
      'wc -c < /proc/timer_list; ls /proc/acpi | wc -l; grep -c " /proc/acpi tmpfs ro," /proc/mounts; ' +
        'echo 1 > /proc/sys/net/ipv4/ip_forward; echo "sys=$?"; echo h > /proc/sysrq-trigger; echo "sysrq=$?"',
    );
    const lines = output.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['0', '0', '1']); // /dev/null over the file, an empty read-only tmpfs over the dir
    expect(output).toMatch(/sys=[1-9]/);
    expect(output).toMatch(/sysrq=[1-9]/);
  });
});

describe('capabilities', () => {
  it("has exactly Docker's default set", async () => {
    expect(await caps()).toBe(DOCKER_CAPS);
    expect(await status('CapBnd')).toBe('00000000a80425fb');
    expect(await status('CapInh')).toBe('0000000000000000');
  });

  it('adds and drops capabilities, and privileged mode grants all', async () => {
    const added = await caps((c) => c.withAddedCapabilities('NET_ADMIN').withDroppedCapabilities('CAP_CHOWN', 'net_raw'));
    expect(added).toBe((DOCKER_CAPS | (1n << CAP_NET_ADMIN)) & ~(1n << CAP_CHOWN) & ~(1n << CAP_NET_RAW));
    expect(await caps((c) => c.withDroppedCapabilities('ALL'))).toBe(0n);
    const privileged = await caps((c) => c.withPrivilegedMode());
    expect(privileged & (1n << CAP_SYS_ADMIN)).not.toBe(0n);
    expect(privileged & DOCKER_CAPS).toBe(DOCKER_CAPS);
  });

  it('lets a privileged container mount, write /proc/sys and read /proc/timer_list', async () => {
    const script =
      'mount -t tmpfs t /tmp && echo mounted; wc -c < /proc/timer_list; echo 1 > /proc/sys/net/ipv4/ip_forward && echo sys-written';
    const { output, exitCode } = await run(script, (c) => c.withPrivilegedMode());
    const [mounted, timerList, sysRw] = output.trim().split('\n');
    expect(mounted).toBe('mounted');
    expect(Number(timerList)).toBeGreaterThan(0);
    expect(sysRw).toBe('sys-written'); // per network namespace: the host's setting stays
    expect(exitCode).toBe(0);
  });

  it('rejects an invalid capability name with a typed error', async () => {
    await expect(new GenericContainer(busybox()).withAddedCapabilities('NET ADMIN').start()).rejects.toBeInstanceOf(InvalidSpecError);
    const unknown = await new GenericContainer(busybox())
      .withDroppedCapabilities('NO_SUCH_CAP')
      .start()
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ContainerStartError);
    expect((unknown as ContainerStartError).message).toContain("unknown capability 'NO_SUCH_CAP'");
  });
});

describe('user', () => {
  it("runs as a user from the image's /etc/passwd with its groups and home", async () => {
    const { output } = await run('id -u; id -g; echo $HOME; grep CapEff /proc/self/status', (c) => c.withUser('berth'));
    expect(output.split('\n').slice(0, 3)).toEqual(['1000', '1000', '/home/berth']);
    expect(output).toContain('CapEff:\t0000000000000000');
  });

  it("takes numeric uid:gid and supplementary groups (the engine spec's groupAdd)", async () => {
    const engine = getEngine();
    await engine.pullImage(busybox());
    const id = await engine.createContainer({
      image: busybox(),
      command: ['sh', '-c', 'id -u; id -g; id -G'],
      user: '4242:4343',
      groupAdd: ['nogroup', '777'],
    });
    try {
      await engine.startContainer(id);
      await engine.waitContainer(id);
      const [uid, gid, groups] = (await logsOf(id)).trim().split('\n');
      expect([uid, gid]).toEqual(['4242', '4343']);
      expect(groups?.split(' ').sort()).toEqual(['4343', '65534', '777']);
      expect((await engine.inspectContainer(id)).HostConfig.GroupAdd).toEqual(['nogroup', '777']);
    } finally {
      await engine.removeContainer(id, { force: true });
    }
  });

  it('fails with a typed error for a user the image does not have', async () => {
    const error = await new GenericContainer(busybox())
      .withUser('nosuchuser')
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerUserError);
    expect((error as Error).message).toContain('nosuchuser');
  });
});

describe('limits and hardening', () => {
  it('applies ulimits', async () => {
    const { output } = await run('ulimit -n; ulimit -Hn', (c) => c.withUlimits({ nofile: { soft: 1234, hard: 2345 } }));
    expect(output).toBe('1234\n2345\n');
  });

  it('refuses unknown or inconsistent ulimits at create time', async () => {
    const engine = getEngine();
    await engine.pullImage(busybox());
    const bad: Record<string, Ulimit>[] = [
      { nofiles: { soft: 1, hard: 2 } },
      { nofile: { soft: 3, hard: 2 } },
      { nofile: { soft: 1.5, hard: 2 } },
    ];
    for (const ulimits of bad) {
      await expect(engine.createContainer({ image: busybox(), ulimits })).rejects.toBeInstanceOf(InvalidSpecError);
    }
  });

  it('mounts the rootfs read-only but keeps /dev/shm writable', async () => {
    const { output } = await run('touch /etc/x 2>&1; echo "etc=$?"; touch /dev/shm/x; echo "shm=$?"', (c) => c.withReadonlyRootfs());
    expect(output).toMatch(/etc=1/);
    expect(output).toContain('shm=0');
  });

  it('sets no_new_privs on request, and seccomp is filtering unless unconfined', async () => {
    expect(await status('NoNewPrivs')).toBe('0');
    expect(await status('NoNewPrivs', (c) => c.withSecurityOpt('no-new-privileges'))).toBe('1');
    expect(await status('Seccomp')).toBe('2');
    expect(await status('Seccomp', (c) => c.withSecurityOpt('seccomp=unconfined'))).toBe('0');
    expect(await status('Seccomp', (c) => c.withPrivilegedMode())).toBe('0');
    expect(() => new GenericContainer(busybox()).withSecurityOpt('apparmor=foo')).toThrow(InvalidSpecError);
    // A user namespace needs no capability, only the profile stands in the way.
    const userns = 'unshare -U true 2>/dev/null; echo "userns=$?"';
    expect((await run(userns)).output).toBe('userns=1\n');
    expect((await run(userns, (c) => c.withSecurityOpt('seccomp=unconfined'))).output).toBe('userns=0\n');
  });

  it('blocks syscalls outside the profile even with every capability', async () => {
    // swapon is in no rule of Docker's profile (like keyctl): EPERM from seccomp, whatever the capabilities.
    const script = 'dd if=/dev/zero of=/tmp/swap bs=1k count=64 2>/dev/null; swapon /tmp/swap 2>&1';
    expect((await run(script, (c) => c.withAddedCapabilities('ALL'))).output).toContain('Operation not permitted');
    const unconfined = await run(script, (c) => c.withAddedCapabilities('ALL').withSecurityOpt('seccomp=unconfined'));
    expect(unconfined.output).not.toContain('Operation not permitted'); // the kernel's own answer: no swap signature
    expect(unconfined.exitCode).not.toBe(0);
  });

  it('shows the security settings in inspect', async () => {
    const container = await new GenericContainer(busybox())
      .withCommand(['sleep', '100'])
      .withUser('berth')
      .withAddedCapabilities('NET_ADMIN')
      .withUlimits({ nofile: { soft: 100, hard: 200 } })
      .withSecurityOpt('no-new-privileges')
      .withReadonlyRootfs()
      .start();
    try {
      const info = await container.inspect();
      expect(info.Config.User).toBe('berth');
      expect(info.HostConfig).toMatchObject({
        CapAdd: ['NET_ADMIN'],
        CapDrop: null,
        Privileged: false,
        ReadonlyRootfs: true,
        SecurityOpt: ['no-new-privileges'],
        Ulimits: [{ Name: 'nofile', Soft: 100, Hard: 200 }],
      });
    } finally {
      await container.stop();
    }
  });
});

describe('init', () => {
  it('reaps orphaned zombies and forwards SIGTERM to the command', async () => {
    const engine = getEngine();
    const container = await new GenericContainer(busybox())
      .withInit()
      .withCommand(['sh', '-c', "trap 'echo got-term; exit 3' TERM; (sleep 0.1 &) ; while true; do sleep 0.05; done"])
      .start();
    try {
      // The orphan exits after 0.1 s; its zombie must go, though the loop's own
      // sleeps are zombies for an instant before sh waits for them.
      await new Promise((r) => setTimeout(r, 300));
      let states: string[] = [];
      const zombieFree = async (): Promise<boolean> => {
        states = (await engine.topContainer(container.getId())).processes.map((p) => stateOf(p[0] ?? ''));
        return !states.includes('Z');
      };
      await eventually(zombieFree, 3000, 50);
      expect(states).not.toContain('Z');
      // The init is the helper's binary: the container must not reach it through /proc/1/exe.
      expect((await container.exec(['readlink', '/proc/1/exe'])).exitCode).not.toBe(0);
      expect((await container.exec(['readlink', '/proc/2/exe'])).stdout).toBe('/bin/busybox\n');
      await engine.killContainer(container.getId(), 'SIGTERM');
      const exit = await container.wait();
      expect(exit.exitCode).toBe(3);
      expect(await container.output()).toContain('got-term');
    } finally {
      await container.stop();
    }
  });
});

function stateOf(pid: string): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
  } catch {
    return '';
  }
}

describe('stop signal and timeout from the spec', () => {
  it("stops with the spec's signal and escalates after its timeout", async () => {
    const engine = getEngine();
    await engine.pullImage(busybox());
    const id = await engine.createContainer({
      image: busybox(),
      command: ['sh', '-c', "trap 'echo got-usr1' USR1; echo ready; while true; do sleep 0.05; done"],
      stopSignal: 'SIGUSR1',
      stopTimeoutMs: 300,
    });
    try {
      await engine.startContainer(id);
      // The signal must not come before the trap is set: PID 1 drops what it has no handler for.
      while (!(await logsOf(id)).includes('ready')) await new Promise((r) => setTimeout(r, 10));
      const info = await engine.inspectContainer(id);
      expect(info.Config).toMatchObject({ StopSignal: 'SIGUSR1', StopTimeout: 1 });
      const started = Date.now();
      await engine.stopContainer(id);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect((await engine.waitContainer(id)).signal).toBe('SIGKILL');
      expect(await logsOf(id)).toContain('got-usr1');
    } finally {
      await engine.removeContainer(id, { force: true });
    }
  });
});

async function logsOf(id: string): Promise<string> {
  let output = '';
  for await (const frame of await getEngine().containerLogs(id)) output += frame.data.toString();
  return output;
}
