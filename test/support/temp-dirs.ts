import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Host directories a test file makes, removed together at the end. */
export class TempDirs {
  readonly #dirs: string[] = [];

  constructor(private readonly prefix: string) {}

  make(): string {
    const dir = fs.mkdtempSync(join(tmpdir(), this.prefix));
    this.#dirs.push(dir);
    return dir;
  }

  removeAll(): void {
    for (const dir of this.#dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }
}
