import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SpawnedProcess } from '../src/engine/runtime/spawned-process.js';

function collect(socket: Socket | undefined): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket?.on('data', (d: Buffer) => {
      text += d.toString();
    });
    socket?.on('close', () => resolve(text));
  });
}

describe('SpawnedProcess (posix_spawn from the addon)', () => {
  it('wires its pipes and reports its exit status', async () => {
    const child = new SpawnedProcess('/bin/sh', ['-c', 'read line; echo "got $line"; echo oops >&2; exit 3'], ['in', 'out', 'out']);
    const [stdin, stdout, stderr] = child.stdio;
    const out = collect(stdout);
    const err = collect(stderr);
    stdin?.end('hello\n');
    expect(await child.exited).toEqual({ code: 3, signal: 0 });
    expect(await out).toBe('got hello\n');
    expect(await err).toBe('oops\n');
    expect(child.ended).toBe(true);
  });

  it('reports a kill by signal, and a kill after the exit is a no-op', async () => {
    const child = new SpawnedProcess('/bin/sleep', ['30'], ['null', 'null', 'null']);
    child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: null, signal: 15 });
    expect(() => child.kill('SIGKILL')).not.toThrow();
  });

  it('gives the child only its stdio, a session of its own and default signals', async () => {
    const script = 'ls /proc/self/fd; cat /proc/self/stat; grep -E "^Sig(Blk|Ign)" /proc/self/status';
    const child = new SpawnedProcess('/bin/sh', ['-c', script], ['null', 'out', 'null']);
    const text = await collect(child.stdio[1]);
    await child.exited;
    const [fds, stat, ...signals] = text
      .trim()
      .split('\n')
      .reduce<string[]>((acc, line) => {
        if (/^\d+$/.test(line)) acc[0] = `${acc[0] ?? ''} ${line}`.trim();
        else acc.push(line);
        return acc;
      }, []);
    // Beyond 0-2: the fd ls opens on /proc/self/fd, and whatever this process itself inherited
    // without close-on-exec (a test runner's pipe), but none of the pipes made for the child.
    const extra = (fds ?? '')
      .split(' ')
      .map(Number)
      .filter((fd) => fd > 2 && !inheritable().includes(fd));
    expect(extra).toHaveLength(1);
    const fields = (stat ?? '').slice((stat ?? '').lastIndexOf(')') + 2).split(' ');
    expect(Number(fields[3])).toBe(child.pid); // session id: it leads its own session
    // The standard signals (1-31); the runner may hand down ignored real-time ones, which glibc keeps.
    const standard = (line = ''): bigint => BigInt(`0x${line.split('\t')[1]}`) & 0x7fffffffn;
    expect(signals.map((line) => standard(line))).toEqual([0n, 0n]);
  });

  it('lets Node end cleanly while children it no longer waits for are exiting', () => {
    // Their exits land while Node frees its thread-safe functions; calling one then aborted the process.
    for (let run = 0; run < 5; run++) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/spawn-and-exit.ts', '50'], { encoding: 'utf8' });
      expect({ status: result.status, signal: result.signal }).toEqual({ status: 0, signal: null });
    }
  });

  it('throws a typed error for a file that does not exist, leaving no pipe behind', () => {
    const before = readFdCount();
    expect(() => new SpawnedProcess('/nonexistent/berth-helper', [], ['in', 'out', 'out'])).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'posix_spawn' }),
    );
    expect(readFdCount()).toBe(before);
  });
});

/** This process's fds without close-on-exec. */
function inheritable(): number[] {
  const O_CLOEXEC = 0o2000000;
  return readdirSync('/proc/self/fd')
    .map(Number)
    .filter((fd) => {
      try {
        const flags = /flags:\s+([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '0';
        return (Number.parseInt(flags, 8) & O_CLOEXEC) === 0;
      } catch {
        return false;
      }
    });
}

function readFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}
