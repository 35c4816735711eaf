import { ArchiveError, DigestMismatchError } from '../../../errors.js';
import type { ImageConfig } from '../../api/index.js';
import { sha256Digest } from '../blob-store.js';
import { chainIds } from '../image-store.js';
import type { IngestedLayer } from '../layer-ingest.js';
import { formatReference, parseReference } from '../reference.js';
import { parseJson } from './members.js';

/** One layer to bring into the store from an archive member. */
export interface LayerJob {
  /** The archive member holding the layer blob. */
  member: string;
  diffId: string;
  chainId: string;
  /** The blob digest, when the archive names it (OCI); else computed. */
  digest?: string;
  /** The blob's media type, when the archive names it (OCI); else told by its compression. */
  mediaType?: string;
  /** Set once the layer is in the store. */
  result?: LoadedLayer;
}

/** A layer in the store, and its blob as an image manifest names it. */
export type LoadedLayer = Omit<IngestedLayer, 'diffSize'> & { mediaType: string };

/** An image an archive holds, checked as far as its metadata goes. */
export interface PlannedImage {
  /** The config digest. */
  id: string;
  config: ImageConfig;
  configBytes: Buffer;
  /** The manifest as the archive holds it (OCI); absent when one is to be written from the layers (docker-archive). */
  manifest?: { digest: string; bytes: Buffer };
  /** Bottom-most first; jobs are shared between images that share a layer. */
  layers: LayerJob[];
  /** Canonical references. */
  tags: string[];
}

/** Where a layer of an image is in the archive, and what it is known to be. */
export type LayerSource = Pick<LayerJob, 'member' | 'digest' | 'mediaType'>;

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The images of an archive and the layer jobs that bring them into the store. */
export class ArchivePlan {
  readonly images: PlannedImage[] = [];
  readonly #jobs = new Map<string, LayerJob>();

  /** Every distinct layer job. */
  get jobs(): LayerJob[] {
    return [...this.#jobs.values()];
  }

  /**
   * Adds an image: its config must hash to `configDigest` (when the archive
   * names it) and list a diff id for each layer. An image met twice gets the
   * tags of both.
   */
  addImage(image: {
    configBytes: Buffer;
    configDigest?: string;
    manifest?: PlannedImage['manifest'];
    layers: LayerSource[];
    tags: string[];
  }): void {
    const id = sha256Digest(image.configBytes);
    if (image.configDigest !== undefined && image.configDigest !== id) {
      throw new DigestMismatchError(image.configDigest, id, 'image config in the archive');
    }
    const tags = image.tags.map(canonicalTag);
    const known = this.images.find((i) => i.id === id);
    if (known) {
      known.tags = [...new Set([...known.tags, ...tags])];
      return;
    }
    const config = parseJson<ImageConfig>(image.configBytes, `image config ${id}`);
    const diffIds = config.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || diffIds.length !== image.layers.length || !diffIds.every((d) => DIGEST.test(d))) {
      throw new ArchiveError(`image ${id} has ${image.layers.length} layers but its config does not list as many sha256 diff ids`);
    }
    const chain = chainIds(diffIds);
    const layers = image.layers.map((source, i) => this.#job(source, diffIds[i] as string, chain[i] as string));
    this.images.push({ id, config, configBytes: image.configBytes, manifest: image.manifest, layers, tags });
  }

  /**
   * One job per layer and blob: whichever member holds it (older `docker
   * save` repeats a shared layer under another name, as a link), its diff id
   * vouches for the content, so it is unpacked once.
   */
  #job(source: LayerSource, diffId: string, chainId: string): LayerJob {
    const key = `${source.digest ?? ''}\0${chainId}`;
    let job = this.#jobs.get(key);
    if (!job) {
      job = { ...source, diffId, chainId };
      this.#jobs.set(key, job);
    }
    return job;
  }
}

/** The canonical form of a tag an archive names. */
function canonicalTag(tag: string): string {
  try {
    return formatReference(parseReference(tag));
  } catch (error) {
    throw new ArchiveError(`the archive tags an image "${tag}", which is not a valid reference`, { cause: error });
  }
}

/** The `member` of a blob in an OCI layout. */
export function blobMember(digest: unknown): string {
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    throw new ArchiveError(`the archive names a blob "${String(digest)}": only sha256 digests are supported`);
  }
  return `blobs/sha256/${digest.slice(7)}`;
}
