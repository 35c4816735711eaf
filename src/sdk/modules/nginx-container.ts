import * as fs from 'node:fs';
import { posix } from 'node:path';
import type { Engine } from '../../engine/api/index.js';
import { InvalidSpecError } from '../../errors.js';
import { AbstractStartedContainer } from '../abstract-started-container.js';
import { GenericContainer } from '../generic-container.js';
import { HttpOkWaitStrategy } from './http-ready.js';

const HTTP_PORT = 80;
/** Debian's nginx default site serves this directory. */
const DEFAULT_WEB_ROOT = '/var/www/html';

/** Files to serve: a host directory, or `{ 'path/in/site': content }`. */
export type StaticContent = string | Record<string, string | Buffer>;

/**
 * An nginx web server publishing port 80, ready once `GET /` answers 200.
 * Content given with {@link withStaticContent} is copied into the web root
 * before the server starts.
 *
 * ```ts
 * await using web = await new NginxContainer('nginx:1.25')
 *   .withWebRoot('/usr/share/nginx/html') // the official image's root
 *   .withStaticContent({ 'index.html': '<h1>hi</h1>' })
 *   .start();
 * await fetch(web.getBaseUrl());
 * ```
 */
export class NginxContainer extends GenericContainer {
  #webRoot = DEFAULT_WEB_ROOT;
  readonly #content: StaticContent[] = [];

  /** @param image an nginx image; its default site must serve the web root on port 80. */
  constructor(image = 'nginx:1.25') {
    super(image);
    this.withExposedPorts(HTTP_PORT).withWaitStrategy(new HttpOkWaitStrategy(HTTP_PORT));
  }

  /** The directory the image's default site serves (default `/var/www/html`, Debian's; the official image uses `/usr/share/nginx/html`). */
  withWebRoot(dir: string): this {
    if (!posix.isAbsolute(dir)) throw new InvalidSpecError(`web root "${dir}" is not absolute`, 'give an absolute container path');
    this.#webRoot = dir;
    return this;
  }

  /**
   * Serves these files: the content of a host directory, or strings and
   * buffers by path below the web root (`{ 'css/site.css': '…' }`).
   */
  withStaticContent(content: StaticContent): this {
    if (typeof content === 'string' && !fs.statSync(content, { throwIfNoEntry: false })?.isDirectory()) {
      throw new InvalidSpecError(`static content "${content}" is not a host directory`, 'pass an existing directory or { path: content }');
    }
    if (typeof content !== 'string') for (const path of Object.keys(content)) sitePath(path);
    this.#content.push(content);
    return this;
  }

  /** Starts the server; resolves once it serves `/`. */
  override async start(engine?: Engine): Promise<StartedNginxContainer> {
    return new StartedNginxContainer(await super.start(engine));
  }

  /** Copies the static content into the web root before the container is made. */
  protected override async beforeContainerCreated(): Promise<void> {
    for (const content of this.#content.splice(0)) {
      if (typeof content === 'string') this.withCopyDirectoriesToContainer([{ source: content, target: this.#webRoot }]);
      else {
        const files = Object.entries(content).map(([path, data]) => ({ content: data, target: posix.join(this.#webRoot, sitePath(path)) }));
        this.withCopyContentToContainer(files);
      }
    }
  }
}

/** A path below the web root, refused if it would leave it. */
function sitePath(path: string): string {
  const normal = posix.normalize(`/${path}`).slice(1);
  if (normal === '' || path.split('/').includes('..')) {
    throw new InvalidSpecError(
      `static content path "${path}" is not a file below the web root`,
      'use relative paths like "index.html" or "css/site.css"',
    );
  }
  return normal;
}

/** A running {@link NginxContainer}. */
export class StartedNginxContainer extends AbstractStartedContainer {
  /** The host port the server listens on. */
  getPort(): number {
    return this.getMappedPort(HTTP_PORT);
  }

  /** `http://host:port`, without a trailing slash. */
  getBaseUrl(): string {
    return `http://${this.getHost()}:${this.getPort()}`;
  }
}
