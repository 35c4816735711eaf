import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';

/** Debian's busybox-static, which the fixtures and benchmarks build from. */
export const HOST_BUSYBOX = '/bin/busybox';

/**
 * Writes a minimal root filesystem into `dir`: static busybox, a link per
 * applet in /bin, /etc/passwd and /etc/group, /tmp.
 */
export function writeBusyboxRootfs(dir: string): void {
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev']) fs.mkdirSync(join(dir, d), { recursive: true });
  fs.chmodSync(join(dir, 'tmp'), 0o1777);
  fs.copyFileSync(HOST_BUSYBOX, join(dir, 'bin/busybox'));
  fs.chmodSync(join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync(HOST_BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) if (applet !== 'busybox') fs.symlinkSync('busybox', join(dir, 'bin', applet));
  fs.writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  fs.writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}
