import * as fs from 'node:fs';
import { join } from 'node:path';

/** The three files Berth owns inside a container, kept in its state dir and bind-mounted. */
export interface EtcFiles {
  hosts: string;
  hostname: string;
  resolvConf: string;
}

export function etcFilesIn(containerDir: string): EtcFiles {
  return { hosts: join(containerDir, 'hosts'), hostname: join(containerDir, 'hostname'), resolvConf: join(containerDir, 'resolv.conf') };
}

/** Helper `mount` records binding the files over the image's own (see native/PROTOCOL.md). */
export function etcMountRecords(files: EtcFiles): string[] {
  return [
    ['/etc/hosts', files.hosts],
    ['/etc/hostname', files.hostname],
    ['/etc/resolv.conf', files.resolvConf],
  ].map(([target, source]) => `bind\t${source}\t${target}\tnosuid,nodev`);
}

/** One line of /etc/hosts. */
export interface HostEntry {
  ip: string;
  names: string[];
}

/** The hosts file: loopback, the container itself, extra hosts, then its peers. */
export function hostsText(self: HostEntry | undefined, extra: HostEntry[], peers: HostEntry[]): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  if (self) lines.push(line(self));
  lines.push(...extra.map(line));
  if (peers.length > 0) lines.push('# containers on the same networks', ...peers.map(line));
  return `${lines.join('\n')}\n`;
}

function line(entry: HostEntry): string {
  return `${entry.ip}\t${[...new Set(entry.names)].join(' ')}`;
}

/**
 * The host's resolvers, minus loopback ones (a container's 127.0.0.53 is its
 * own loopback, not the host's stub resolver); search and options are kept.
 */
export function resolvConfText(hostResolvConf = '/etc/resolv.conf'): string {
  let text = '';
  try {
    text = fs.readFileSync(hostResolvConf, 'utf8');
  } catch {
    return '';
  }
  const kept = text
    .split('\n')
    .filter((l) => /^\s*(nameserver|search|options|domain)\s/.test(l))
    .filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  return `${kept.join('\n')}\n`;
}

/**
 * Rewrites a bind-mounted file in place: a rename would leave the mount on
 * the old inode. New content first, then the tail cut, so a reader sees at
 * worst a moment of extra trailing lines, never an empty file.
 */
export function rewriteInPlace(path: string, text: string): void {
  const fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o644);
  try {
    const bytes = Buffer.from(text);
    fs.writeSync(fd, bytes, 0, bytes.length, 0);
    fs.ftruncateSync(fd, bytes.length);
  } finally {
    fs.closeSync(fd);
  }
}
