import { NetworkError } from '../errors.js';

/** Network modes that are not a network of their own. */
export const SPECIAL_MODES = ['host', 'none'] as const;

/** Network names Docker users write for the default network. */
export const DEFAULT_ALIASES = ['bridge', 'default', 'berth'];

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;

/** Refuses names that are reserved or could not be a file name. */
export function checkNetworkName(name: string): void {
  if (!NAME.test(name)) {
    throw new NetworkError(`invalid network name "${name}"`, {
      hint: 'use 1-64 letters, digits, "_", "." or "-", starting with a letter or digit',
    });
  }
  if ([...SPECIAL_MODES, ...DEFAULT_ALIASES].includes(name)) {
    throw new NetworkError(`network name "${name}" is reserved`, { hint: 'pick another name' });
  }
}

/** Host end of a container's veth: `berthv` + 7 hex of the container id + 2 hex of the interface index (15 chars, IFNAMSIZ). */
export function vethName(containerId: string, index: number): string {
  return `berthv${containerId.slice(0, 7)}${index.toString(16).padStart(2, '0')}`;
}

/** Bridge of a user network: `berth-` + 8 hex of its id. */
export function bridgeName(networkId: string): string {
  return `berth-${networkId.slice(0, 8)}`;
}
