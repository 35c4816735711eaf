/**
 * What every conformance case shares: the engine under test, names unique
 * to this run, and a record of what the cases made, so each is removed
 * after its test and the last case can check that nothing is left.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { readTar } from '../../src/engine/image/tar-reader.js';
import type { ContainerSpec, Engine, LogFrame, LogSelection } from '../../src/index.js';

/** The engine a backend's test file hands to {@link describeEngine}, with how to let it go. */
export interface EngineUnderTest {
  engine: Engine;
  /** Closes connections or removes the engine's own state; runs after the last case. */
  close(): Promise<void>;
}

/** Runs a cleanup step, ignoring a resource that is gone already. */
async function quietly(step: Promise<unknown>): Promise<void> {
  await step.catch(() => undefined);
}

/** State and helpers of one backend's run of the suite. */
export class SuiteContext {
  #engine: Engine | undefined;
  #busybox: Promise<string> | undefined;
  #count = 0;
  /** Prefix of every name this run gives: containers, networks, volumes, image repositories. */
  readonly prefix = `berth-conf-${randomBytes(3).toString('hex')}`;
  readonly containers = new Set<string>();
  readonly networks = new Set<string>();
  readonly volumes = new Set<string>();
  readonly images = new Set<string>();
  /** Every container and image id the run made, kept after cleanup for the final check. */
  readonly made = { containers: new Set<string>(), images: new Set<string>() };

  /** The engine under test (set by the suite's beforeAll). */
  get engine(): Engine {
    if (!this.#engine) throw new Error('the engine under test is not made yet');
    return this.#engine;
  }

  set engine(engine: Engine) {
    this.#engine = engine;
  }

  /** A name no other run uses, e.g. `berth-conf-1a2b3c-web-4`. */
  name(what: string): string {
    this.#count += 1;
    return `${this.prefix}-${what}-${this.#count}`;
  }

  /** A reference in the test registry, in a repository of this run: removed after the test. */
  reference(what: string): string {
    const reference = `${inject('registry')}/${this.prefix}/${what}-${++this.#count}:1`;
    this.images.add(reference);
    return reference;
  }

  /** Records an image the test made (by id or reference), to be removed after it. */
  image(idOrReference: string): string {
    this.images.add(idOrReference);
    if (idOrReference.startsWith('sha256:')) this.made.images.add(idOrReference);
    return idOrReference;
  }

  /** The busybox fixture's image id, pulled once. */
  busybox(): Promise<string> {
    this.#busybox ??= this.engine.pullImage(inject('fixtures').busybox).then((image) => image.Id);
    return this.#busybox;
  }

  /** Creates a busybox container (removed after the test); `spec` overrides any field. */
  async create(spec: Partial<ContainerSpec> = {}): Promise<string> {
    const id = await this.engine.createContainer({ image: await this.busybox(), ...spec });
    this.containers.add(id);
    this.made.containers.add(id);
    return id;
  }

  /** Creates and starts a busybox container running `command` (the image's when undefined). */
  async run(command: string[] | undefined, spec: Partial<ContainerSpec> = {}): Promise<string> {
    const id = await this.create({ ...(command ? { command } : {}), ...spec });
    await this.engine.startContainer(id);
    return id;
  }

  /** Runs `command` to its end; returns its exit code and output (stdout and stderr). */
  async runToEnd(command: string[] | undefined, spec: Partial<ContainerSpec> = {}): Promise<{ exitCode: number; output: string }> {
    const id = await this.run(command, spec);
    const { exitCode } = await this.engine.waitContainer(id);
    return { exitCode, output: (await this.logLines(id)).join('') };
  }

  /** The container's recorded output as frames, one a line, selected like `docker logs`. */
  async logFrames(id: string, selection: LogSelection = {}): Promise<LogFrame[]> {
    const frames: LogFrame[] = [];
    for await (const frame of await this.engine.containerLogs(id, selection)) frames.push(frame);
    return frames;
  }

  /** The container's recorded output as lines (each with its `\n`). */
  async logLines(id: string, selection: LogSelection = {}): Promise<string[]> {
    return (await this.logFrames(id, selection)).map((f) => f.data.toString());
  }

  /** A file's content, read from the container with getArchive (works while it is paused or stopped). */
  async readFile(id: string, path: string): Promise<string> {
    const archive = await this.engine.getArchive(id, path);
    const chunks: Buffer[] = [];
    for await (const { body } of readTar(archive.stream)) for await (const chunk of body) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Waits until the container's output holds `text` (a command says it is ready). */
  async outputHas(id: string, text: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await this.logLines(id)).join('').includes(text)) {
      if (Date.now() > deadline) throw new Error(`container ${id} did not write "${text}" within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Removes what the finished test made: containers first, then what they used. */
  async cleanup(): Promise<void> {
    const engine = this.engine;
    await Promise.all([...this.containers].map((id) => quietly(engine.removeContainer(id, { force: true }))));
    this.containers.clear();
    for (const network of this.networks) await quietly(engine.removeNetwork(network));
    this.networks.clear();
    for (const volume of this.volumes) await quietly(engine.removeVolume(volume));
    this.volumes.clear();
    for (const image of this.images) await quietly(engine.removeImage(image, { force: true }));
    this.images.clear();
  }
}
