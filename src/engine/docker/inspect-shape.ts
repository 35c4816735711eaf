import type { ContainerInfo } from '../api/index.js';

/** Docker's inspect as Berth's {@link ContainerInfo}: the same shape, with Docker's nulls made empty where Berth promises arrays and maps. */
export function toContainerInfo(raw: ContainerInfo): ContainerInfo {
  const networks = Object.fromEntries(
    Object.entries(raw.NetworkSettings?.Networks ?? {}).map(([name, n]) => [name, { ...n, Aliases: n.Aliases ?? [] }]),
  );
  return {
    ...raw,
    Args: raw.Args ?? [],
    Config: { ...raw.Config, Env: raw.Config.Env ?? [], Cmd: raw.Config.Cmd ?? [], Labels: raw.Config.Labels ?? {} },
    Mounts: raw.Mounts ?? [],
    NetworkSettings: { Networks: networks, Ports: raw.NetworkSettings?.Ports ?? {} },
  };
}
