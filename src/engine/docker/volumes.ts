import type { CreateVolumeOptions, PruneVolumesResult, VolumeInfo } from '../api/index.js';
import { compareVersions, type DockerTransport } from './transport.js';

/** Docker's volume, the parts Berth reads. */
interface DockerVolume {
  Name: string;
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
}

/** Local volumes on a Docker daemon. */
export class DockerVolumes {
  constructor(private readonly api: DockerTransport) {}

  async create(options: CreateVolumeOptions, labels: Record<string, string>): Promise<VolumeInfo> {
    const body = { ...(options.name ? { Name: options.name } : {}), Driver: 'local', Labels: { ...options.labels, ...labels } };
    return toVolumeInfo(
      await this.api.json<DockerVolume>({
        method: 'POST',
        path: '/volumes/create',
        body,
        subject: { kind: 'volume', name: options.name ?? '' },
      }),
    );
  }

  async inspect(name: string): Promise<VolumeInfo> {
    return toVolumeInfo(
      await this.api.json<DockerVolume>({ method: 'GET', path: `/volumes/${encodeURIComponent(name)}`, subject: { kind: 'volume', name } }),
    );
  }

  async list(labels: string[] = []): Promise<VolumeInfo[]> {
    const found = await this.api.json<{ Volumes: DockerVolume[] | null }>({
      method: 'GET',
      path: '/volumes',
      query: { filters: JSON.stringify({ label: labels }) },
    });
    return (found.Volumes ?? []).map(toVolumeInfo);
  }

  async remove(name: string): Promise<void> {
    await this.api.send({ method: 'DELETE', path: `/volumes/${encodeURIComponent(name)}`, subject: { kind: 'volume', name } });
  }

  /** Unused volumes; daemons from API 1.42 on keep named ones unless `all`. */
  async prune(all: boolean): Promise<PruneVolumesResult> {
    // Before 1.42 a prune takes every unused volume, and knows no `all` filter.
    const named = compareVersions(await this.api.version(), '1.42') >= 0;
    const filters = all && named ? JSON.stringify({ all: ['true'] }) : undefined;
    const result = await this.api.json<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>({
      method: 'POST',
      path: '/volumes/prune',
      query: { filters },
    });
    return { volumesDeleted: result.VolumesDeleted ?? [], spaceReclaimed: result.SpaceReclaimed };
  }
}

function toVolumeInfo(v: DockerVolume): VolumeInfo {
  return {
    Name: v.Name,
    Driver: 'local',
    Mountpoint: v.Mountpoint,
    CreatedAt: v.CreatedAt,
    Labels: v.Labels ?? {},
    Scope: 'local',
    Options: v.Options ?? {},
  };
}
