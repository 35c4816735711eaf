/**
 * Quickstart: works offline. Imports the host's static busybox as an image
 * (like `docker import`), then runs a throwaway container from it.
 *
 *   bash scripts/setup.sh && npm run quickstart
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenericContainer, getEngine } from 'berth';
import { create } from 'tar';

const BUSYBOX = '/bin/busybox'; // from Debian's busybox-static

/** A minimal root filesystem: busybox, one link per applet, and a passwd file. */
function busyboxRootfs(): string {
  const dir = fs.mkdtempSync(join(tmpdir(), 'berth-quickstart-'));
  fs.mkdirSync(join(dir, 'bin'));
  fs.mkdirSync(join(dir, 'etc'));
  fs.copyFileSync(BUSYBOX, join(dir, 'bin/busybox'));
  fs.chmodSync(join(dir, 'bin/busybox'), 0o755);
  for (const applet of execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    if (applet !== 'busybox') fs.symlinkSync('busybox', join(dir, 'bin', applet));
  }
  fs.writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  return dir;
}

const rootfs = busyboxRootfs();
try {
  await getEngine().importImage(create({ cwd: rootfs, portable: false }, ['.']), 'berth.local/busybox:host', { cmd: ['sh'] });
} finally {
  fs.rmSync(rootfs, { recursive: true, force: true });
}

await using container = await new GenericContainer('berth.local/busybox:host')
  .withHostname('quickstart')
  .withCommand(['sh', '-c', 'echo "hello from $(hostname), where I am PID $$"; echo "processes I can see:"; ps -o pid,args'])
  .start();

const { exitCode } = await container.wait();
process.stdout.write(await container.output());
console.log(`container ${container.getName()} exited with code ${exitCode}`);
