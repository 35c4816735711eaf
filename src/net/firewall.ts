import { spawnSync } from 'node:child_process';
import { debug } from '../debug.js';
import { NetworkError } from '../errors.js';
import type { NetworkRecord } from './network-store.js';

/** Every berth nftables table is named `berth-<network id prefix>`: one table per network, so teardown is one delete. */
export function tableName(record: Pick<NetworkRecord, 'id'>): string {
  return `berth-${record.id.slice(0, 12)}`;
}

/**
 * Installs a network's rules as one nft batch (atomic: all or nothing):
 * - forward: traffic within the bridge is accepted (or dropped with ICC
 *   off); replies to the containers' own connections come back in; anything
 *   else routed into the bridge (another network, the LAN) is dropped;
 * - nat: the subnet is masqueraded when it leaves the host.
 * With ICC off the bridge ports are also isolated (see netAttach), which
 * stops frames between containers even when br_netfilter is not loaded.
 */
export function installNetworkRules(record: NetworkRecord): void {
  const t = tableName(record);
  const br = JSON.stringify(record.bridge);
  const lines = [
    ...deleteLines(record),
    `table inet ${t} {`,
    '  chain forward {',
    '    type filter hook forward priority filter - 1; policy accept;',
    `    iifname ${br} oifname ${br} ${record.icc ? 'accept' : 'drop'}`,
    `    oifname ${br} ct state established,related accept`,
    `    oifname ${br} drop`,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr ${record.subnet} oifname != ${br} masquerade`,
    '  }',
    '}',
  ];
  nft(lines.join('\n'));
}

/** Removes a network's tables; idempotent (each table is added before it is deleted). */
export function removeNetworkRules(record: Pick<NetworkRecord, 'id'>): void {
  nft(deleteLines(record).join('\n'));
}

function deleteLines(record: Pick<NetworkRecord, 'id'>): string[] {
  const t = tableName(record);
  return [`add table inet ${t}`, `delete table inet ${t}`];
}

/** Names of every berth table on the host (for the sweep). */
export function berthTables(): string[] {
  const out = run('nft', ['list', 'tables']);
  return [...out.matchAll(/^table inet (berth-[0-9a-f]+)$/gm)].map((m) => m[1] ?? '');
}

function nft(batch: string): void {
  run('nft', ['-f', '-'], batch);
}

const DOCKER_RULE_COMMENT = 'berth';

/**
 * A dockerd beside Berth sets the iptables FORWARD policy to DROP. A packet
 * must be accepted by every base chain on the hook, so an accept in Berth's
 * own table cannot overrule it: the accept has to be inside Docker's chain.
 * Docker keeps DOCKER-USER for exactly this and never flushes it; without
 * Docker, a FORWARD chain with policy DROP gets the rules directly. The rules
 * go through iptables (iptables-nft), so Docker's own iptables calls keep
 * understanding the table.
 */
export function allowThroughDockerForward(): void {
  const listing = iptables(['-S']);
  if (listing.status !== 0) return; // No iptables here: nothing of Docker's to get through.
  const text = String(listing.stdout);
  const chain = dockerForwardChain(text);
  if (!chain) return;
  // The listing shows the rules already in place: a check run per rule cost ~25 ms each on every new bridge.
  for (const rule of dockerRules()) {
    if (!listed(text, chain, rule)) checkIptables(iptables(['-I', chain, ...rule]), chain);
  }
}

/** Whether `iptables -S` output has `rule` in `chain`, as iptables prints it back. */
function listed(listing: string, chain: string, rule: string[]): boolean {
  return listing.split('\n').includes(`-A ${chain} ${rule.join(' ')}`);
}

/** Takes the rules out again (when no berth network is left). */
export function removeDockerForwardRules(): void {
  for (const chain of ['DOCKER-USER', 'FORWARD']) {
    for (const rule of dockerRules()) {
      while (iptables(['-D', chain, ...rule]).status === 0) {
        // A rule may have been inserted twice by racing processes: delete all copies.
      }
    }
  }
}

function dockerRules(): string[][] {
  const tag = ['-m', 'comment', '--comment', DOCKER_RULE_COMMENT, '-j', 'ACCEPT'];
  return [
    ['-i', 'berth+', ...tag],
    ['-o', 'berth+', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...tag],
  ];
}

function dockerForwardChain(listing: string): string | undefined {
  if (/^-N DOCKER-USER$/m.test(listing)) return 'DOCKER-USER';
  return /^-P FORWARD DROP$/m.test(listing) ? 'FORWARD' : undefined;
}

function iptables(args: string[]) {
  return spawnSync('iptables', ['-w', ...args], { encoding: 'utf8' });
}

function checkIptables(result: ReturnType<typeof iptables>, chain: string): void {
  if (result.status !== 0) {
    throw new NetworkError(`could not add Berth's accept rule to iptables chain ${chain}: ${String(result.stderr).trim()}`, {
      hint: "check that iptables works (Berth needs it only when Docker's FORWARD policy is DROP)",
    });
  }
}

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (result.error || result.status !== 0) {
    const detail = result.error?.message ?? String(result.stderr).trim();
    debug('%s %o failed: %s\n%s', command, args, detail, input ?? '');
    throw new NetworkError(`${command} ${args.join(' ')} failed: ${detail}`, {
      hint: 'Berth needs the nft tool (Debian package nftables) and root',
    });
  }
  return result.stdout;
}
