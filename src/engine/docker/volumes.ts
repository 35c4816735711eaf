import type { CreateVolumeOptions, PruneVolumesResult, VolumeInfo } from '../api/index.js';
import { compareVersions, type DockerTransport } from './transport.js';

/** The label the daemon puts on the volumes a container makes without naming them. */
const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

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
    // A volume without a name is anonymous, as the daemon marks those a container makes (what a prune takes).
    const anonymous = options.name ? {} : { [ANONYMOUS_LABEL]: '' };
    const body = {
      ...(options.name ? { Name: options.name } : {}),
      Driver: 'local',
      Labels: { ...options.labels, ...labels, ...anonymous },
    };
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

  /**
   * Unused anonymous volumes, or every unused volume with `all`. Daemons from
   * API 1.42 on prune so themselves; older ones take every unused volume, so
   * without `all` the anonymous ones are picked out here and removed one by one.
   */
  async prune(all: boolean): Promise<PruneVolumesResult> {
    const current = compareVersions(await this.api.version(), '1.42') >= 0;
    if (!all && !current) return this.#pruneAnonymous();
    const filters = all && current ? JSON.stringify({ all: ['true'] }) : undefined;
    const result = await this.api.json<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>({
      method: 'POST',
      path: '/volumes/prune',
      query: { filters },
    });
    return { VolumesDeleted: result.VolumesDeleted ?? [], SpaceReclaimed: result.SpaceReclaimed };
  }

  /** Removes unused volumes that are anonymous: labelled so, or named by the daemon (64 hex digits). */
  async #pruneAnonymous(): Promise<PruneVolumesResult> {
    const found = await this.api.json<{ Volumes: DockerVolume[] | null }>({
      method: 'GET',
      path: '/volumes',
      query: { filters: JSON.stringify({ dangling: ['true'] }) },
    });
    const anonymous = (found.Volumes ?? []).filter((v) => v.Labels?.[ANONYMOUS_LABEL] !== undefined || /^[0-9a-f]{64}$/.test(v.Name));
    const volumesDeleted: string[] = [];
    for (const volume of anonymous) {
      // A container may have taken it meanwhile (409), or someone removed it (404): not ours to prune then.
      const removed = await this.remove(volume.Name).then(
        () => true,
        () => false,
      );
      if (removed) volumesDeleted.push(volume.Name);
    }
    return { VolumesDeleted: volumesDeleted, SpaceReclaimed: 0 };
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
