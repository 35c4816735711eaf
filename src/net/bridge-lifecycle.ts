import * as fs from 'node:fs';
import { debug } from '../debug.js';
import { native } from '../engine/native.js';
import { allowThroughDockerForward, installNetworkRules, removeDockerForwardRules, removeNetworkRules } from './firewall.js';
import type { NetworkRecord, NetworkStore } from './network-store.js';

/**
 * Saves the network's record, then makes the bridge (if missing) and the
 * firewall rules; undoes all of it on failure. The record comes first so
 * that every bridge and nftables table Berth makes has one: a process killed
 * half-way leaves a record with a dead owner, which the next sweep tears
 * down, and no sweep ever has to list the host's tables (`nft` takes tens
 * of milliseconds to start, on every engine's start-up).
 */
export function bringUp(store: NetworkStore, record: NetworkRecord): void {
  store.save(record);
  try {
    native().netCreateBridge(record.bridge, record.gateway, Number(record.subnet.split('/')[1]));
    installNetworkRules(record);
    allowThroughDockerForward();
    enableForwarding();
  } catch (error) {
    try {
      tearDown(store, record);
    } catch (undo) {
      debug('could not undo network %s (the sweep retries): %s', record.name, (undo as Error).message);
    }
    throw error;
  }
}

/**
 * Removes bridge, rules and record; the Docker accept rules go with the last
 * network. Idempotent. The accept rules match every `berth+` interface, so
 * "last" is host-wide: no record left here and no berth link left on the
 * host (a network of another state root may still use them).
 */
export function tearDown(store: NetworkStore, record: NetworkRecord): void {
  for (const port of bridgePorts(record.bridge)) native().netDeleteLink(port);
  native().netDeleteLink(record.bridge);
  removeNetworkRules(record);
  store.delete(record.name);
  if (store.list().length === 0 && berthLinks().length === 0) {
    try {
      removeDockerForwardRules();
    } catch (error) {
      debug('could not remove the docker accept rules: %s', (error as Error).message);
    }
  }
}

/**
 * The veths still on a bridge that is going: no container is attached any
 * more (or it would not go), but a dead container's veth lives as long as
 * its netns, which the kernel was seen to keep for minutes with no process
 * in it once the bridge was gone (most likely for a TCP socket left
 * closing that nothing can answer). Deleted with the bridge, they go at
 * once; the emptied netns follows whenever the kernel lets it.
 */
function bridgePorts(bridge: string): string[] {
  try {
    return fs.readdirSync(`/sys/class/net/${bridge}/brif`);
  } catch {
    return []; // No such bridge (any more).
  }
}

/** Every link on the host whose name starts with `berth`. */
export function berthLinks(): string[] {
  try {
    return fs.readdirSync('/sys/class/net').filter((n) => n.startsWith('berth'));
  } catch {
    return [];
  }
}

/**
 * Containers reach beyond the host only if the host routes: turned on as
 * Docker does (and never off again: other software may rely on it). What
 * may be forwarded into a bridge is limited by the network's own rules.
 */
function enableForwarding(): void {
  const path = '/proc/sys/net/ipv4/ip_forward';
  if (fs.readFileSync(path, 'utf8').trim() !== '1') fs.writeFileSync(path, '1');
}
