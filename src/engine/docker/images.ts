import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ArchiveError, ImageNotFoundError, ImageNotPresentError, ImagePullError, RegistryError } from '../../errors.js';
import type {
  ArchiveFormat,
  ImageConfig,
  ImageHistoryEntry,
  ImageSummary,
  ImportOptions,
  LoadImagesOptions,
  PruneResult,
  PullImageOptions,
  PullProgress,
  PushImageOptions,
  RegistryCredentials,
} from '../api/index.js';
import { jsonLines } from './json-lines.js';
import type { DockerTransport } from './transport.js';

/** Docker's `GET /images/{name}/json`, the parts Berth reads. */
interface DockerImage {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Size: number;
  Created: string;
  Architecture: string;
  Os: string;
  Variant?: string;
  Comment?: string;
  Author?: string;
  Config: ImageConfig['config'] | null;
  RootFS: { Layers?: string[] };
}

/** One message of a pull or push progress stream. */
interface ProgressMessage {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string };
}

/** Images on a Docker daemon, shaped as Berth's store has them. */
export class DockerImages {
  constructor(private readonly api: DockerTransport) {}

  async inspect(reference: string): Promise<ImageSummary | undefined> {
    try {
      return toSummary(
        await this.api.json<DockerImage>({
          method: 'GET',
          path: `/images/${encodeURIComponent(reference)}/json`,
          subject: { kind: 'image', name: reference },
        }),
      );
    } catch (error) {
      if (error instanceof ImageNotPresentError) return undefined;
      throw error;
    }
  }

  async require(reference: string): Promise<ImageSummary> {
    const image = await this.inspect(reference);
    if (!image) throw new ImageNotPresentError(reference);
    return image;
  }

  /** Pulls (as the policy says), turning the daemon's progress messages into {@link PullProgress} events. */
  async pull(reference: string, options: PullImageOptions = {}): Promise<ImageSummary> {
    const policy = options.policy ?? 'missing';
    if (policy !== 'always') {
      const present = await this.inspect(reference);
      if (present) return present;
      if (policy === 'never') throw new ImageNotPresentError(reference);
    }
    try {
      const res = await this.api.request({
        method: 'POST',
        path: '/images/create',
        query: { fromImage: reference, platform: options.platform },
        headers: { 'X-Registry-Auth': registryAuth(options.credentials) },
        subject: { kind: 'daemon' },
      });
      const last = new Map<string, PullProgress>();
      for await (const message of jsonLines<ProgressMessage>(res.body)) {
        if (message.error) throw pullFailure(reference, message.errorDetail?.message ?? message.error);
        const progress = toProgress(message, last);
        if (progress) options.onProgress?.(progress);
      }
    } catch (error) {
      throw error instanceof ImagePullError ? error : new ImagePullError(reference, pullCause(reference, error));
    }
    return this.require(reference);
  }

  async list(): Promise<ImageSummary[]> {
    const images = await this.api.json<{ Id: string }[]>({ method: 'GET', path: '/images/json' });
    const found = await Promise.all(images.map((i) => this.inspect(i.Id)));
    return found.filter((i): i is ImageSummary => i !== undefined);
  }

  async tag(source: string, target: string): Promise<void> {
    const { repo, tag } = splitTag(target);
    await this.api.send({
      method: 'POST',
      path: `/images/${encodeURIComponent(source)}/tag`,
      query: { repo, tag },
      subject: { kind: 'image', name: source },
    });
  }

  async remove(reference: string, force = false): Promise<{ deleted: boolean }> {
    const gone = await this.api.json<{ Deleted?: string; Untagged?: string }[]>({
      method: 'DELETE',
      path: `/images/${encodeURIComponent(reference)}`,
      query: { force },
      subject: { kind: 'image', name: reference },
    });
    return { deleted: gone.some((g) => g.Deleted !== undefined) };
  }

  async history(reference: string): Promise<ImageHistoryEntry[]> {
    const steps = await this.api.json<{ Created: number; CreatedBy: string; Comment: string; Size: number }[]>({
      method: 'GET',
      path: `/images/${encodeURIComponent(reference)}/history`,
      subject: { kind: 'image', name: reference },
    });
    // Docker lists newest first; a step of no bytes made no layer (the daemon does not say more).
    return steps.reverse().map((s) => ({
      Created: new Date(s.Created * 1000).toISOString(),
      CreatedBy: s.CreatedBy,
      Comment: s.Comment,
      EmptyLayer: s.Size === 0,
    }));
  }

  async prune(): Promise<PruneResult> {
    const result = await this.api.json<{ ImagesDeleted: { Deleted?: string }[] | null; SpaceReclaimed: number }>({
      method: 'POST',
      path: '/images/prune',
    });
    const layers = (result.ImagesDeleted ?? []).filter((d) => d.Deleted).length;
    return { LayersDeleted: layers, BlobsDeleted: 0, StagingDeleted: 0, SpaceReclaimed: result.SpaceReclaimed };
  }

  async push(reference: string, options: PushImageOptions = {}): Promise<{ digest: string; target: string }> {
    const image = await this.require(reference);
    // Like `docker push`: to the reference given, unless it is the image's id (then its first tag).
    const byId = reference === image.Id || image.Id.replace(/^sha256:/, '').startsWith(reference.replace(/^sha256:/, ''));
    const target = options.target ?? (byId ? (image.RepoTags[0] ?? reference) : reference);
    if (target !== reference) await this.tag(reference, target);
    const { repo, tag } = splitTag(target);
    const res = await this.api.request({
      method: 'POST',
      path: `/images/${encodeURIComponent(repo)}/push`,
      query: { tag },
      headers: { 'X-Registry-Auth': registryAuth(options.credentials) },
      subject: { kind: 'image', name: target },
    });
    let digest = '';
    for await (const message of jsonLines<ProgressMessage>(res.body)) {
      if (message.error) throw new RegistryError(`pushing "${target}" failed: ${message.errorDetail?.message ?? message.error}`, undefined);
      digest = message.aux?.Digest ?? digest;
    }
    return { digest, target };
  }

  /** `docker save`: only `docker-archive` is something the daemon writes. */
  async save(references: string[], destination: string, format: ArchiveFormat): Promise<void> {
    if (format !== 'docker-archive')
      throw new ArchiveError(`the Docker backend saves docker-archive only, not ${format}`, { hint: 'save as docker-archive' });
    if (fs.existsSync(destination))
      throw new ArchiveError(`${destination} is in the way`, { hint: 'remove it or choose another destination' });
    for (const reference of references) await this.require(reference);
    const res = await this.api.request({ method: 'GET', path: '/images/get', query: { names: references } });
    const partial = join(dirname(destination), `.berth-save-${process.pid}-${Date.now()}`);
    try {
      await pipeline(res.body, fs.createWriteStream(partial));
      fs.renameSync(partial, destination); // Whole or not at all.
    } finally {
      fs.rmSync(partial, { force: true });
    }
  }

  /** `docker load` of a docker-archive (or an OCI archive, which daemons from 25 on take). */
  async load(source: string, options: LoadImagesOptions = {}): Promise<ImageSummary[]> {
    if (fs.statSync(source, { throwIfNoEntry: false })?.isDirectory()) {
      throw new ArchiveError(`the Docker backend loads archive files, and ${source} is a directory`, {
        hint: 'pack the OCI layout into a tar (oci-archive) first',
      });
    }
    const res = await this.api.request({ method: 'POST', path: '/images/load', query: { quiet: true }, body: fs.createReadStream(source) });
    const loaded: string[] = [];
    for await (const message of jsonLines<{ stream?: string; error?: string }>(res.body)) {
      if (message.error) throw new ArchiveError(`the Docker daemon refused ${source}: ${message.error}`);
      const name = /^Loaded image(?: ID)?: (\S+)/.exec(message.stream ?? '')?.[1];
      if (name) loaded.push(name);
    }
    if (options.tag) {
      if (loaded.length !== 1) throw new ArchiveError(`${source} holds ${loaded.length} images; a tag needs exactly one`);
      await this.tag(loaded[0] as string, options.tag);
      loaded.push(options.tag);
    }
    const images = await Promise.all(loaded.map((l) => this.require(l)));
    return [...new Map(images.map((i) => [i.Id, i])).values()];
  }

  /** `docker import` of a rootfs tarball, with the run settings as Dockerfile changes. */
  async import(source: AsyncIterable<Buffer>, reference: string, options: ImportOptions = {}): Promise<ImageSummary> {
    const { repo, tag } = splitTag(reference);
    const res = await this.api.request({
      method: 'POST',
      path: '/images/create',
      query: { fromSrc: '-', repo, tag, changes: importChanges(options) },
      body: source,
    });
    for await (const message of jsonLines<ProgressMessage>(res.body)) {
      if (message.error) throw new ArchiveError(`the Docker daemon refused the import: ${message.error}`);
    }
    return this.require(reference);
  }
}

function importChanges(options: ImportOptions): string[] {
  const changes: string[] = [];
  if (options.cmd) changes.push(`CMD ${JSON.stringify(options.cmd)}`);
  if (options.entrypoint) changes.push(`ENTRYPOINT ${JSON.stringify(options.entrypoint)}`);
  for (const e of options.env ?? []) changes.push(`ENV ${e.replace('=', ' ')}`);
  if (options.workingDir) changes.push(`WORKDIR ${options.workingDir}`);
  if (options.volumes?.length) changes.push(`VOLUME ${JSON.stringify(options.volumes)}`);
  return changes;
}

/** An image as Berth's store describes it, from Docker's inspect. */
export function toSummary(image: DockerImage): ImageSummary {
  const digest = image.RepoDigests?.[0]?.split('@')[1] ?? '';
  return {
    Id: image.Id,
    RepoTags: image.RepoTags ?? [],
    ManifestDigest: digest,
    Size: image.Size,
    Config: {
      architecture: image.Architecture,
      os: image.Os,
      ...(image.Variant ? { variant: image.Variant } : {}),
      created: image.Created,
      ...(image.Comment ? { comment: image.Comment } : {}),
      ...(image.Author ? { author: image.Author } : {}),
      config: image.Config ?? {},
      rootfs: { type: 'layers', diff_ids: image.RootFS.Layers ?? [] },
    },
  };
}

/** `repo[:tag]` split where Docker's API wants the parts apart (a registry port is not a tag). */
export function splitTag(reference: string): { repo: string; tag: string } {
  const at = reference.indexOf('@');
  if (at >= 0) return { repo: reference.slice(0, at), tag: reference.slice(at + 1) };
  const colon = reference.lastIndexOf(':');
  if (colon > reference.lastIndexOf('/')) return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repo: reference, tag: 'latest' };
}

/** The `X-Registry-Auth` header: base64url JSON, `{}` for none (the daemon wants the header on push). */
function registryAuth(credentials: RegistryCredentials | undefined): string {
  return Buffer.from(JSON.stringify(credentials ?? {})).toString('base64url');
}

const DONE = /^(Pull complete|Already exists|Download complete)$/;

/** A layer's progress from a daemon message; `last` keeps each layer's figures for its final event. */
function toProgress(message: ProgressMessage, last: Map<string, PullProgress>): PullProgress | undefined {
  if (!message.id || !message.status) return undefined;
  if (message.status === 'Downloading') {
    const progress = {
      layer: message.id,
      downloaded: message.progressDetail?.current ?? 0,
      total: message.progressDetail?.total ?? 0,
      done: false,
    };
    last.set(message.id, progress);
    return progress;
  }
  if (!DONE.test(message.status)) return undefined;
  const seen = last.get(message.id);
  const total = seen?.total ?? 0;
  return { layer: message.id, downloaded: total, total, done: true };
}

function pullFailure(reference: string, message: string): ImagePullError {
  return new ImagePullError(reference, pullCause(reference, new Error(message)));
}

function pullCause(reference: string, error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (/not found|manifest unknown|does not exist|repository .* not found/i.test(message)) return new ImageNotFoundError(reference, message);
  return error instanceof Error && 'code' in error ? error : new RegistryError(message, undefined, { cause: error });
}
