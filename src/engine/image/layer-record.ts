import * as fs from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../state/files.js';
import { MediaType } from './manifest.js';

/** A blob that holds a layer, compressed or not: what a manifest names. */
export interface LayerForm {
  digest: string;
  /** The media type a manifest gave it (absent in records of older stores). */
  mediaType?: string;
  size: number;
  /**
   * Repositories (`registry/repository`) known to hold the blob: where it
   * was pulled from or pushed to. A push to the same registry mounts it from
   * there instead of uploading it.
   */
  sources: string[];
}

/**
 * What the store knows of an unpacked layer besides its files
 * (`layers/<chain id>/meta.json`), as Docker's distribution metadata: the
 * blobs it came as and where they are, so a push can skip or mount them.
 */
export interface LayerRecord {
  chainId: string;
  diffId: string;
  /** Bytes of the uncompressed tar (absent in records of older stores). */
  diffSize?: number;
  /** Whether the tar skeleton beside the files rebuilds the tar (see tar-skeleton.ts). */
  rebuilds?: boolean;
  /** The blobs known to hold the layer, the one it came as first. */
  forms: LayerForm[];
}

/** Name of the record in a layer's directory. */
export const LAYER_RECORD = 'meta.json';
/** Name of the tar skeleton in a layer's directory. */
export const TAR_SKELETON = 'tar-skeleton.gz';

/** Stores before this record held `{chainId, diffId, digest, size}`: one form, sources unknown. */
interface OlderRecord {
  chainId: string;
  diffId: string;
  digest?: string;
  size?: number;
  forms?: LayerForm[];
}

/** The record in `layerDir`, or undefined when there is none. */
export function readLayerRecord(layerDir: string): LayerRecord | undefined {
  let raw: OlderRecord & Partial<LayerRecord>;
  try {
    raw = JSON.parse(fs.readFileSync(join(layerDir, LAYER_RECORD), 'utf8')) as OlderRecord & Partial<LayerRecord>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (raw.forms) return raw as LayerRecord;
  const forms = raw.digest ? [{ digest: raw.digest, size: raw.size ?? 0, sources: [] }] : [];
  return { chainId: raw.chainId, diffId: raw.diffId, forms };
}

/** Writes `record` into `layerDir`, replacing the one there at once. */
export function writeLayerRecord(layerDir: string, record: LayerRecord): void {
  writeAtomic(join(layerDir, LAYER_RECORD), JSON.stringify(record));
}

/** `record` with `form` added or its sources merged; undefined when it knew all of it already. */
export function withForm(record: LayerRecord, form: LayerForm): LayerRecord | undefined {
  const known = record.forms.find((f) => f.digest === form.digest);
  if (!known) return { ...record, forms: [...record.forms, form] };
  const sources = form.sources.filter((s) => !known.sources.includes(s));
  const mediaType = known.mediaType ?? form.mediaType;
  if (sources.length === 0 && mediaType === known.mediaType) return undefined;
  const merged = { ...known, ...(mediaType ? { mediaType } : {}), sources: [...known.sources, ...sources] };
  return { ...record, forms: record.forms.map((f) => (f === known ? merged : f)) };
}

/**
 * The form `digest` names: a recorded one, or the uncompressed tar (whose
 * digest is the diff id), which the store gives back from the layer.
 */
export function formOf(record: LayerRecord, digest: string): LayerForm | undefined {
  const known = record.forms.find((f) => f.digest === digest);
  if (known) return known;
  if (digest !== record.diffId || record.diffSize === undefined) return undefined;
  return { digest, mediaType: MediaType.ociLayerTar, size: record.diffSize, sources: [] };
}
