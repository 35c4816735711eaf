/** What `buildImage` takes besides the context directory (`docker build`'s options). */
export interface BuildImageOptions {
  /** The Dockerfile, relative to the context (or absolute); default `Dockerfile`. */
  dockerfile?: string;
  /** The stage to build (its name or index); default the last. Only the stages it needs are built. */
  target?: string;
  /** Values of ARGs (`--build-arg`); an ARG no Dockerfile line declares is ignored. */
  buildArgs?: Record<string, string>;
  /** Platform of the base images, e.g. `linux/amd64` (default this machine's). */
  platform?: string;
  /** Build every step afresh, without using the build cache (the results still enter it). */
  noCache?: boolean;
  /** `missing` (default): pull base images not in the store; `always`: pull them again. */
  pullPolicy?: 'missing' | 'always';
  /** Labels added to the built image. */
  labels?: Record<string, string>;
  /** References to tag the built image with, e.g. `myapp:test`. */
  tags?: string[];
  /** Called for each step as it starts, is found in the cache, and ends, and for each line a RUN prints. */
  onProgress?: (event: BuildProgress) => void;
}

/** A build's progress, step by step. */
export interface BuildProgress {
  /** The step as the build log names it, e.g. `[build 2/4] RUN make`. */
  step: string;
  /** `start`, `cached` (the build cache had it), `done`, or `output` (a line a RUN printed, in `line`). */
  status: 'start' | 'cached' | 'done' | 'output';
  line?: string;
}
