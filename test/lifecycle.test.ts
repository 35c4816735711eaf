import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { ContainerCgroup } from '../src/engine/cgroups/container-cgroup.js';
import { readOr } from '../src/engine/state/files.js';
import type { ContainerSpec } from '../src/index.js';
import { GenericContainer, getEngine } from '../src/index.js';
import { eventually, processExists } from './support/leaks.js';

/** Creates and starts a busybox container running `script`; returns its id. */
async function startBusybox(script: string, extra: Partial<ContainerSpec> = {}): Promise<string> {
  const engine = getEngine();
  await engine.pullImage(inject('fixtures').busybox);
  const id = await engine.createContainer({ image: inject('fixtures').busybox, command: ['sh', '-c', script], ...extra });
  await engine.startContainer(id);
  return id;
}

async function output(id: string): Promise<string> {
  let text = '';
  for await (const frame of await getEngine().containerLogs(id)) text += frame.data.toString();
  return text;
}

describe('container lifecycle', () => {
  it('pauses and unpauses: a frozen container makes no progress', async () => {
    const engine = getEngine();
    const id = await startBusybox('i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.01; done');
    await new Promise((r) => setTimeout(r, 100));
    await engine.pauseContainer(id);
    expect((await engine.inspectContainer(id)).State.Status).toBe('paused');
    const frozen = await engine.topContainer(id);
    await new Promise((r) => setTimeout(r, 150));
    expect((await engine.topContainer(id)).processes).toEqual(frozen.processes);
    await engine.unpauseContainer(id);
    expect((await engine.inspectContainer(id)).State.Status).toBe('running');
    await engine.removeContainer(id, { force: true });
  });

  it('restarts with the same writable layer', async () => {
    const engine = getEngine();
    const id = await startBusybox('echo run >> /tmp/runs; cat /tmp/runs | wc -l; sleep 1000');
    // start() returns once the command was executed, not once it has run: wait for the first run's line.
    await eventually(async () => (await output(id)).includes('1'), 5000, 20);
    await engine.restartContainer(id, { timeoutMs: 0 });
    await eventually(async () => (await output(id)).includes('2'), 5000, 20);
    expect(await output(id)).toContain('2');
    expect((await engine.inspectContainer(id)).State.Running).toBe(true);
    await engine.removeContainer(id, { force: true });
  });

  it('lists processes (top) and reports stats from the cgroup', async () => {
    const engine = getEngine();
    const id = await startBusybox('sleep 1000 & sleep 1000 & wait');
    const sleeps = async (): Promise<number> => (await engine.topContainer(id)).processes.filter((p) => p[2] === 'sleep 1000').length;
    await eventually(async () => (await sleeps()) === 2, 5000, 20);
    const top = await engine.topContainer(id);
    expect(top.processes.map((p) => p[2])).toEqual(expect.arrayContaining(['sleep 1000', 'sleep 1000']));
    const stats = await engine.containerStats(id);
    expect(stats.pids).toBe(3);
    expect(stats.memoryUsage).toBeGreaterThan(0);
    await engine.removeContainer(id, { force: true });
  });

  it('escalates a stop to SIGKILL after the timeout, and stops at once with timeout 0', async () => {
    const engine = getEngine();
    const id = await startBusybox('trap "" TERM; sleep 1000');
    let t = Date.now();
    await engine.stopContainer(id, { timeoutMs: 400 });
    expect(Date.now() - t).toBeGreaterThanOrEqual(400);
    expect((await engine.waitContainer(id)).signal).toBe('SIGKILL');
    await engine.removeContainer(id);
    const id2 = await startBusybox('trap "" TERM; sleep 1000');
    t = Date.now();
    await engine.stopContainer(id2, { timeoutMs: 0 });
    expect(Date.now() - t).toBeLessThan(400);
    await engine.removeContainer(id2);
  });

  it('stops at the pids limit (fork bomb)', async () => {
    const engine = getEngine();
    // The shell forks until the kernel refuses; busybox sh then gives up and exits.
    const id = await startBusybox('while true; do sleep 1000 & done', { resources: { pidsLimit: 20 } });
    const exit = await engine.waitContainer(id);
    expect(exit.exitCode).not.toBe(0);
    expect(await output(id)).toMatch(/can't fork: Resource temporarily unavailable/);
    await engine.removeContainer(id, { force: true });
  });

  it('OOM-kills a memory hog at the memory limit and reports it', async () => {
    const engine = getEngine();
    // Builds an ever-growing string in the shell: about 1 MiB per doubling step.
    const id = await startBusybox('x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while true; do x="$x$x"; done', {
      resources: { memory: 32 * 1024 * 1024, memorySwap: 32 * 1024 * 1024 },
    });
    const exit = await engine.waitContainer(id);
    expect(exit.signal).toBe('SIGKILL');
    expect(exit.oomKilled).toBe(true);
    expect((await engine.inspectContainer(id)).State.OOMKilled).toBe(true);
    await engine.removeContainer(id);
  });

  it("puts the init and exec'd commands in the container's cgroup of every hierarchy", async () => {
    const engine = getEngine();
    const id = await startBusybox('sleep 1000');
    const init = (await engine.inspectContainer(id)).State.Pid;
    const exec = engine.execContainer(id, { cmd: ['sleep', '30'] });
    // Only once it is `sleep 30`: before its execve the exec'd process is still
    // joining the hierarchies one by one, and top may already list it.
    const isExecd = (pid: number): boolean => readOr(`/proc/${pid}/cmdline`, '') === 'sleep\u000030\u0000';
    let execPid = 0;
    await eventually(
      async () => {
        execPid = (await engine.topContainer(id)).processes.map((p) => Number(p[0])).find(isExecd) ?? 0;
        return execPid > 0;
      },
      5000,
      20,
    );
    expect(execPid).toBeGreaterThan(0);
    // Seen from the host: one line per hierarchy, each naming berth/<id>.
    const hierarchies = ContainerCgroup.of(id).dirs.length;
    for (const pid of [init, execPid]) {
      const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
      expect(
        lines.filter((l) => l.endsWith(`/berth/${id}`)),
        `pid ${pid}:\n${lines.join('\n')}`,
      ).toHaveLength(hierarchies);
    }
    await engine.removeContainer(id, { force: true });
    await exec.catch(() => undefined);
  });

  it('removes the cgroups with the container', async () => {
    const engine = getEngine();
    const id = await startBusybox('sleep 1000');
    const pid = (await engine.inspectContainer(id)).State.Pid;
    const cgroup = ContainerCgroup.of(id);
    expect(cgroup.pids()).toContain(pid);
    await engine.removeContainer(id, { force: true });
    expect(processExists(pid)).toBe(false);
    const { existsSync } = await import('node:fs');
    expect(cgroup.dirs.filter((d) => existsSync(d))).toEqual([]);
  });
});

describe('resource quotas from the SDK', () => {
  it('withResourcesQuota sets the memory and CPU limits of the cgroup', async () => {
    await using c = await new GenericContainer(inject('fixtures').busybox)
      .withCommand(['sleep', '1000'])
      .withResourcesQuota({ memory: 0.25, cpu: 0.5 })
      .start();
    const info = await c.inspect();
    expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    const cgroup = ContainerCgroup.of(c.getId());
    const memoryFile = cgroup.layout.mode === 'v2' ? 'memory.max' : 'memory.limit_in_bytes';
    const memoryDir = cgroup.dirs.find((d) => d.includes(cgroup.layout.mode === 'v2' ? '' : '/memory/')) ?? '';
    expect(readFileSync(`${memoryDir}/${memoryFile}`, 'utf8').trim()).toBe(String(256 * 1024 * 1024));
    expect((await getEngine().containerStats(c.getId())).memoryLimit).toBe(256 * 1024 * 1024);
  });
});
