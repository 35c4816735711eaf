import * as fs from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import type { BuildImageOptions, Engine } from '../engine/api/index.js';
import { type HistoryEntry, stackImage } from '../engine/image/commit.js';
import { applyConfigChanges } from '../engine/image/config-changes.js';
import type { ImageRecord, ImageStore } from '../engine/image/image-store.js';
import { BuildContextError, BuildStepError, DockerfileError } from '../errors.js';
import { BuildCache } from './build-cache.js';
import { BuildState } from './build-state.js';
import { loadIgnoreRules } from './context/dockerignore.js';
import { ensureParents, stageCopy } from './copy-stage.js';
import { extractArchive, gatherCopy, type SourceRoot } from './copy-step.js';
import type { CopyInstruction, Dockerfile, Instruction, Stage } from './dockerfile/instructions.js';
import { parseDockerfile, parseDuration, parseInstruction } from './dockerfile/parse.js';
import { ImageTree } from './image-tree.js';
import { resolveOwner } from './owner.js';
import { runHistory, runStep } from './run-step.js';

/** What the builder needs of the local engine. */
export interface BuildHost {
  engine: Engine;
  images: ImageStore;
  /** Where the builder keeps its cache and scratch space (the state root). */
  root: string;
  upperDir(containerId: string): string;
  /** Runs `fn` holding the store's shared lock (prune takes it exclusively). */
  storeLock<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * Builds the image a Dockerfile describes, as BuildKit would: only the
 * stages the target needs (independent ones at once), each RUN in a
 * container whose upper dir becomes a layer, COPY and ADD laid out without
 * a container, metadata steps only changing the config, every layer step
 * looked up in and added to the shared content-keyed cache.
 */
export class Builder {
  readonly #cache: BuildCache;
  readonly #stages = new Map<number, Promise<ImageRecord | undefined>>();
  readonly #file: Dockerfile;
  readonly #dockerfilePath: string;
  readonly #globalArgs = new Map<string, string>();
  readonly #scratch: string;

  constructor(
    readonly host: BuildHost,
    readonly context: string,
    readonly options: BuildImageOptions,
  ) {
    if (!fs.existsSync(context) || !fs.statSync(context).isDirectory()) {
      throw new BuildContextError(context, 'is not a directory', 'give the directory that holds the Dockerfile and the files it copies');
    }
    this.#dockerfilePath = isAbsolute(options.dockerfile ?? '')
      ? (options.dockerfile as string)
      : join(context, options.dockerfile ?? 'Dockerfile');
    if (!fs.existsSync(this.#dockerfilePath))
      throw new BuildContextError(this.#dockerfilePath, 'no Dockerfile there', 'give its path with the dockerfile option');
    this.#file = parseDockerfile(fs.readFileSync(this.#dockerfilePath, 'utf8'), options.dockerfile ?? 'Dockerfile');
    this.#cache = new BuildCache(host.images, host.root);
    this.#scratch = join(host.root, 'build-tmp');
    for (const arg of this.#file.globalArgs.flatMap((a) => a.args.map((x) => ({ ...x, line: a.line })))) {
      const given = options.buildArgs?.[arg.name];
      const value = given ?? (arg.default !== undefined ? this.#expandGlobal(arg.default, arg.line) : undefined);
      if (value !== undefined) this.#globalArgs.set(arg.name, value);
    }
  }

  /** Builds the target stage and returns its image (tagged and labelled as asked). */
  async build(): Promise<ImageRecord> {
    const target = this.#stage(this.options.target ?? String(this.#file.stages.length - 1), 'the target');
    fs.mkdirSync(this.#scratch, { recursive: true });
    const image = await this.#build(target.index);
    if (!image) throw new BuildStepError(`[${stageName(target)}]`, undefined, [], 'the stage is empty (FROM scratch and nothing else)');
    return this.#finish(image);
  }

  async #finish(image: ImageRecord): Promise<ImageRecord> {
    const labels = this.options.labels ?? {};
    let result = image;
    if (Object.keys(labels).length > 0) {
      const config = { ...image.config.config, Labels: { ...image.config.config?.Labels, ...labels } };
      result = await this.host.storeLock(() => stackImage(this.host.images, image, { config, history: [], ...authorOf(image) }));
    }
    for (const tag of this.options.tags ?? []) await this.host.engine.tagImage(result.id, tag);
    return this.host.images.get(result.id) ?? result;
  }

  #stage(nameOrIndex: string, what: string): Stage {
    const lower = nameOrIndex.toLowerCase();
    const stage =
      this.#file.stages.find((s) => s.from.alias === lower) ?? (/^\d+$/.test(lower) ? this.#file.stages[Number(lower)] : undefined);
    if (!stage) {
      const names = this.#file.stages.map((s) => s.from.alias ?? String(s.index)).join(', ');
      throw new DockerfileError(
        this.#file.file,
        1,
        `a stage named ${JSON.stringify(nameOrIndex)} for ${what} (stages: ${names})`,
        'no such stage',
      );
    }
    return stage;
  }

  /** Each stage is built once, when first needed; independent stages run at the same time. */
  #build(index: number): Promise<ImageRecord | undefined> {
    let promise = this.#stages.get(index);
    if (!promise) {
      promise = this.#buildStage(this.#file.stages[index] as Stage);
      this.#stages.set(index, promise);
    }
    return promise;
  }

  /** A stage by name or index if `ref` names one before `before`, else undefined (an image). */
  #stageRef(ref: string, before: number): Stage | undefined {
    const lower = ref.toLowerCase();
    return this.#file.stages.find((s) => s.index < before && (s.from.alias === lower || String(s.index) === lower));
  }

  async #buildStage(stage: Stage): Promise<ImageRecord | undefined> {
    const image = this.#expandGlobal(stage.from.image, stage.from.line);
    const parentStage = this.#stageRef(image, stage.index);
    // Stages this one copies from start now, beside it.
    for (const ins of stage.instructions) {
      if (ins.kind === 'COPY' && ins.from !== undefined) {
        const from = this.#stageRef(ins.from, stage.index);
        if (from) void this.#build(from.index).catch(() => undefined);
      }
    }
    const base = parentStage
      ? await this.#build(parentStage.index)
      : image === 'scratch'
        ? undefined
        : await this.#baseImage(image, stage.from.platform);
    const state = new BuildState(this.#file.file, this.#file.escapeChar, base, BuildCache.key('FROM', base?.id ?? 'scratch'));
    const triggers = (base?.config.config as { OnBuild?: string[] } | undefined)?.OnBuild ?? [];
    const instructions = [...triggers.map((t) => parseInstruction(t, stage.from.line, this.#file)), ...stage.instructions];
    const total = instructions.length + 1;
    const name = stageName(stage);
    for (const [i, ins] of instructions.entries()) {
      const step = `[${name} ${i + 2}/${total}] ${ins.text}`;
      await this.#step(state, stage, ins, step);
    }
    if (state.pending.length === 0) return state.image;
    const made = state.image;
    const key = BuildCache.key(state.key, 'config');
    const { image: final } = await this.#cache.through(key, this.options.noCache ?? false, () =>
      this.host.storeLock(() =>
        stackImage(this.host.images, made, { config: state.config, history: state.pending, ...authorOf(made, state.author) }),
      ),
    );
    return final;
  }

  async #baseImage(reference: string, platform: string | undefined): Promise<ImageRecord> {
    const wanted = platform ?? this.options.platform;
    const present = this.host.images.resolve(reference);
    if (!present || this.options.pullPolicy === 'always') {
      await this.host.engine.pullImage(reference, wanted ? { platform: wanted } : {});
    }
    const image = this.host.images.resolve(reference);
    if (!image) throw new BuildStepError(`FROM ${reference}`, undefined, [], 'the base image is not in the store after pulling it');
    return image;
  }

  #expandGlobal(word: string, line: number): string {
    const state = new BuildState(this.#file.file, this.#file.escapeChar, undefined, '');
    for (const [k, v] of this.#globalArgs) state.args.set(k, v);
    return state.expand(word, line);
  }

  #progress(step: string, status: 'start' | 'cached' | 'done' | 'output', line?: string): void {
    this.options.onProgress?.({ step, status, ...(line !== undefined ? { line } : {}) });
  }

  async #step(state: BuildState, stage: Stage, ins: Instruction, step: string): Promise<void> {
    this.#progress(step, 'start');
    switch (ins.kind) {
      case 'RUN': {
        const key = BuildCache.key(
          state.key,
          'RUN',
          runHistory(state, ins),
          JSON.stringify([...state.args].sort()),
          state.config.User ?? '',
          state.config.WorkingDir ?? '',
          JSON.stringify(state.config.Env ?? []),
          ins.network ?? '',
        );
        await this.#layer(
          state,
          key,
          step,
          (history) =>
            runStep(
              this.host,
              state,
              ins,
              step,
              (line) => this.#progress(step, 'output', line),
              (upper) => this.#commit(state, upper, history),
            ),
          runHistory(state, ins),
        );
        break;
      }
      case 'COPY':
      case 'ADD':
        await this.#copy(state, stage, ins, step);
        break;
      case 'ARG':
        for (const arg of ins.args) {
          const value =
            this.options.buildArgs?.[arg.name] ??
            (arg.default !== undefined ? state.expand(arg.default, ins.line) : this.#globalArgs.get(arg.name));
          if (value !== undefined) state.args.set(arg.name, value);
          else state.args.delete(arg.name);
        }
        state.key = BuildCache.key(state.key, 'ARG', ins.text);
        break;
      default:
        this.#metadata(state, ins);
        state.pending.push({ created_by: ins.text, empty_layer: true });
        state.key = BuildCache.key(state.key, 'CONFIG', JSON.stringify(state.config), state.shell.join(' '), state.author ?? '');
    }
    this.#progress(step, 'done');
  }

  /** A step that adds a layer: from the cache if it has the key, else made (and cached). */
  async #layer(
    state: BuildState,
    key: string,
    step: string,
    make: (history: HistoryEntry[]) => Promise<ImageRecord>,
    createdBy: string,
  ): Promise<void> {
    const history = [...state.pending, { created_by: createdBy }];
    const { image, cached } = await this.#cache.through(key, this.options.noCache ?? false, () => make(history));
    if (cached) this.#progress(step, 'cached');
    state.image = image;
    state.pending = [];
    state.key = key;
  }

  #commit(state: BuildState, upper: string, history: HistoryEntry[]): Promise<ImageRecord> {
    return this.host.storeLock(() =>
      stackImage(this.host.images, state.image, { upper, config: state.config, history, ...authorOf(state.image, state.author) }),
    );
  }

  async #copy(state: BuildState, stage: Stage, ins: CopyInstruction, step: string): Promise<void> {
    const scratch = fs.mkdtempSync(join(this.#scratch, 'copy-'));
    try {
      const root = await this.#sourceRoot(state, stage, ins);
      const gathered = gatherCopy(state, ins, root, scratch);
      const dest = this.#destination(state, ins);
      const key = BuildCache.key(state.key, ins.kind, ins.text, dest, gathered.checksum, ins.chown ?? '', ins.chmod ?? '', ins.from ?? '');
      await this.#layer(
        state,
        key,
        step,
        async (history) => {
          const staging = join(scratch, 'layer');
          fs.mkdirSync(staging);
          const tree = this.#tree(state.image);
          const owner = ins.chown !== undefined ? this.#owner(ins, state, tree) : 'tree' in root ? undefined : { uid: 0, gid: 0 };
          stageCopy(staging, tree, gathered.sources, {
            dest,
            ...(owner ? { owner } : {}),
            ...(ins.chmod ? { chmod: Number.parseInt(ins.chmod, 8) } : {}),
          });
          for (const archive of gathered.archives) {
            const dir = tree.resolve(dest);
            ensureParents(staging, tree, dir);
            await extractArchive(archive.abs, join(staging, dir), ins.chown !== undefined ? owner : undefined);
          }
          return this.#commit(state, staging, history);
        },
        `${ins.kind} ${ins.text.replace(/^\S+\s*/, '')}`,
      );
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  #owner(ins: CopyInstruction, state: BuildState, tree: ImageTree): { uid: number; gid: number } {
    try {
      return resolveOwner(state.expand(ins.chown as string, ins.line), tree);
    } catch (error) {
      throw new DockerfileError(this.#file.file, ins.line, 'a user and group the image knows for --chown', (error as Error).message);
    }
  }

  async #sourceRoot(state: BuildState, stage: Stage, ins: CopyInstruction): Promise<SourceRoot> {
    if (ins.from === undefined) return { context: this.context, ignore: loadIgnoreRules(this.context, this.#dockerfilePath) };
    const from = state.expand(ins.from, ins.line);
    const source = this.#stageRef(from, stage.index);
    const image = source ? await this.#build(source.index) : await this.#baseImage(from, undefined);
    return { tree: this.#tree(image) };
  }

  #tree(image: ImageRecord | undefined): ImageTree {
    return new ImageTree([...(image?.chainIds ?? [])].reverse().map((c) => this.host.images.layerDiff(c)));
  }

  /** The destination as an absolute path: relative ones are below WORKDIR; a trailing `/` is kept. */
  #destination(state: BuildState, ins: CopyInstruction): string {
    const dest = state.expand(ins.dest, ins.line);
    const absolute = posix.isAbsolute(dest) ? dest : posix.join(state.config.WorkingDir || '/', dest);
    const normal = posix.normalize(absolute);
    return dest.endsWith('/') || dest === '.' || dest.endsWith('/.') ? `${normal.replace(/\/+$/, '')}/` : normal;
  }

  /** Metadata instructions change only the config (through the same code as `commit --change`). */
  #metadata(state: BuildState, ins: Instruction): void {
    const x = (w: string): string => state.expand(w, ins.line);
    switch (ins.kind) {
      case 'CMD':
      case 'ENTRYPOINT': {
        const argv = 'exec' in ins.command ? ins.command.exec : [...state.shell, ins.command.shell];
        this.#change(state, `${ins.kind} ${JSON.stringify(argv)}`);
        return;
      }
      case 'ENV':
      case 'LABEL':
        for (const p of ins.pairs) this.#change(state, `${ins.kind} ${JSON.stringify(x(p.key))}=${JSON.stringify(x(p.value))}`);
        return;
      case 'EXPOSE':
      case 'VOLUME':
        this.#change(
          state,
          `${ins.kind} ${JSON.stringify(ins.words.map(x))}`.replace(
            /^EXPOSE \[(.*)\]$/,
            (_m, list: string) => `EXPOSE ${list.replace(/,/g, ' ')}`,
          ),
        );
        return;
      case 'WORKDIR': {
        const dir = x(ins.value);
        this.#change(state, `WORKDIR ${posix.resolve(state.config.WorkingDir || '/', dir)}`);
        return;
      }
      case 'USER':
      case 'STOPSIGNAL':
        this.#change(state, `${ins.kind} ${x(ins.value)}`);
        return;
      case 'ONBUILD':
        this.#change(state, `ONBUILD ${ins.trigger}`);
        return;
      case 'MAINTAINER':
        state.author = ins.value;
        return;
      case 'SHELL':
        state.shell = ins.shell;
        return;
      case 'HEALTHCHECK':
        state.config = { ...state.config, Healthcheck: healthcheck(state, ins) };
        return;
    }
  }

  #change(state: BuildState, change: string): void {
    state.config = applyConfigChanges(state.config, [change]);
  }
}

function healthcheck(
  state: BuildState,
  ins: Extract<Instruction, { kind: 'HEALTHCHECK' }>,
): NonNullable<BuildState['config']['Healthcheck']> {
  if (!ins.command) return { Test: ['NONE'] };
  const test = 'exec' in ins.command ? ['CMD', ...ins.command.exec] : ['CMD-SHELL', ins.command.shell];
  const ns = (v: string | undefined) => (v === undefined ? {} : { value: parseDuration(v) as number });
  const fields: Record<string, number | undefined> = {
    Interval: ns(ins.interval).value,
    Timeout: ns(ins.timeout).value,
    StartPeriod: ns(ins.startPeriod).value,
    StartInterval: ns(ins.startInterval).value,
    Retries: ins.retries,
  };
  void state;
  return { Test: test, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
}

function stageName(stage: Stage): string {
  return stage.from.alias ?? `stage-${stage.index}`;
}

function authorOf(image: ImageRecord | undefined, author?: string): { author?: string } {
  const value = author ?? image?.config.author;
  return value ? { author: value } : {};
}
