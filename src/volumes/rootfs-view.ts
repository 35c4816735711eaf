import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { helperPath } from '../engine/native.js';
import { EventLineSplitter, type HelperEvent } from '../engine/runtime/helper-events.js';
import { encodeViewSpec, type ViewSpec } from '../engine/runtime/helper-spec.js';
import { ContainerPathError } from '../errors.js';

/**
 * `berth-helper view`: the helper mounts a stopped (or never started)
 * container's overlay and volumes in a mount namespace of its own and
 * waits; its `/proc/<pid>/root` is then the container's `/`. Nothing is
 * mounted on the host, and everything goes when the helper ends.
 */
export class RootfsView {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(
    child: ChildProcess,
    readonly pid: number,
  ) {
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  /** Spawns the helper and resolves once the view is mounted. */
  static async open(spec: ViewSpec): Promise<RootfsView> {
    const child = spawn(helperPath(), ['view'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    const control = child.stdio[3] as Socket;
    const status = child.stdio[4] as Socket;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    control.on('error', () => undefined);
    control.write(encodeViewSpec(spec));
    try {
      const pid = await awaitStarted(status, () => stderr);
      return new RootfsView(child, pid);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** Closes the helper's fd 3: it exits and its mount namespace goes with it. */
  async close(): Promise<void> {
    (this.#child.stdio[3] as Socket).end();
    await this.#exited;
  }
}

function awaitStarted(status: Socket, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let pid = 0;
    const splitter = new EventLineSplitter((event: HelperEvent) => {
      if (event.kind === 'pid') pid = event.pid;
      else if (event.kind === 'started') resolve(pid);
      else if (event.kind === 'error') {
        reject(new ContainerPathError('/', `mounting the container's files failed at ${event.step}: ${event.message}`));
      }
    });
    status.on('data', (chunk: Buffer) => splitter.push(chunk));
    status.on('error', () => undefined);
    status.on('close', () => reject(new ContainerPathError('/', `the view helper ended early: ${stderr().trim() || 'no diagnostics'}`)));
  });
}
