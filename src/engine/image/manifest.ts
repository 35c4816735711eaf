import { PlatformNotAvailableError, RegistryError } from '../../errors.js';

/** Compression of a layer blob. */
export type Compression = 'gzip' | 'zstd' | 'none';

/** Media types Berth understands, Docker schema2 and OCI alike. */
export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
} as const;

const OCI_LAYERS: Record<Compression, string> = {
  none: MediaType.ociLayerTar,
  gzip: MediaType.ociLayerGzip,
  zstd: MediaType.ociLayerZstd,
};
const DOCKER_LAYERS: Partial<Record<Compression, string>> = { none: MediaType.dockerLayerTar, gzip: MediaType.dockerLayerGzip };

/** The OCI media type of a layer blob with `compression`. */
export function ociLayerMediaType(compression: Compression): string {
  return OCI_LAYERS[compression];
}

/**
 * The media type of a layer blob with `compression` in a manifest of
 * `manifestMediaType`: Docker's for a Docker manifest (which has none for
 * zstd: undefined), else OCI's.
 */
export function layerMediaTypeIn(manifestMediaType: string | undefined, compression: Compression): string | undefined {
  return manifestMediaType === MediaType.dockerManifest ? DOCKER_LAYERS[compression] : OCI_LAYERS[compression];
}

/** Accept header for manifest requests: every manifest and index type. */
export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerList, MediaType.dockerManifest].join(', ');

/** A content descriptor (OCI image spec). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
}

/** An OS/architecture pair, as in OCI indexes. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** An image manifest (OCI or Docker schema2). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** An OCI index or Docker manifest list. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** Whether a parsed manifest document is an index/list rather than a single image. */
export function isIndex(doc: ImageManifest | ImageIndex, mediaType: string): doc is ImageIndex {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerList || 'manifests' in doc;
}

/** The platform of this process, in OCI terms. */
export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', ppc64: 'ppc64le' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

/** Parses `os/arch[/variant]` as given to `withPlatform`. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw new RegistryError(`invalid platform "${text}": use os/arch[/variant], e.g. linux/amd64`, undefined);
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Picks the manifest for `platform` from an index, or explains what it offers. */
export function selectPlatform(index: ImageIndex, platform: Platform, reference: string): Descriptor {
  const chosen = index.manifests.find((m) => m.platform && matchesPlatform(m.platform, platform));
  if (!chosen) {
    const offered = index.manifests.filter((m) => m.platform).map((m) => formatPlatform(m.platform as Platform));
    throw new PlatformNotAvailableError(reference, formatPlatform(platform), offered);
  }
  return chosen;
}

/**
 * Whether `offered` (an index entry's platform, or an image config's os,
 * architecture and variant) serves `wanted`; a wanted platform without a
 * variant takes any.
 */
export function matchesPlatform(offered: Platform, wanted: Platform): boolean {
  return (
    offered.os === wanted.os &&
    offered.architecture === wanted.architecture &&
    (wanted.variant === undefined || offered.variant === wanted.variant)
  );
}

/** `os/arch[/variant]`, as {@link parsePlatform} reads it. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}
