import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { helperPath, native } from '../native.js';

/**
 * Why the local engine cannot run in this process, or undefined when it
 * can: Linux, root, overlayfs in the kernel, and the native addon and
 * helper built. Cheap (a file read and a `require` the local engine makes
 * anyway), so automatic selection can ask before it loads any engine.
 */
export function localEngineUnusable(): string | undefined {
  if (process.platform !== 'linux') return `the local engine runs on Linux only (this is ${process.platform})`;
  if (process.geteuid?.() !== 0) return 'the local engine needs root (this process is not)';
  if (!kernelHasOverlay()) return 'the kernel has no overlay filesystem (not in /proc/filesystems, nor a module)';
  try {
    native();
    helperPath();
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
  return undefined;
}

/** Registered, or a module the kernel loads on the first mount. */
function kernelHasOverlay(): boolean {
  try {
    if (/\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'))) return true;
  } catch {
    return false;
  }
  return existsSync(`/lib/modules/${release()}/kernel/fs/overlayfs`);
}
