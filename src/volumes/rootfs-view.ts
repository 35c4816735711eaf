import type { Socket } from 'node:net';
import { helperPath } from '../engine/native.js';
import { EventLineSplitter, type HelperEvent } from '../engine/runtime/helper-events.js';
import { encodeViewSpec, type ViewSpec } from '../engine/runtime/helper-spec.js';
import { SpawnedProcess } from '../engine/runtime/spawned-process.js';
import { ContainerPathError } from '../errors.js';

/**
 * `berth-helper view`: the helper mounts a stopped (or never started)
 * container's overlay and volumes in a mount namespace of its own and
 * waits; its `/proc/<pid>/root` is then the container's `/`. Nothing is
 * mounted on the host, and everything goes when the helper ends.
 */
export class RootfsView {
  private constructor(
    private readonly child: SpawnedProcess,
    readonly pid: number,
  ) {}

  /** Spawns the helper and resolves once the view is mounted. */
  static async open(spec: ViewSpec): Promise<RootfsView> {
    const child = new SpawnedProcess(helperPath(), ['view'], ['null', 'null', 'out', 'in', 'out']);
    const [, , errors, control, status] = child.stdio as [undefined, undefined, Socket, Socket, Socket];
    let stderr = '';
    errors.on('data', (d: Buffer) => {
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
    this.child.stdio[3]?.end();
    await this.child.exited;
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
