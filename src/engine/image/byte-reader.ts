/**
 * Pulls exact byte counts out of an async stream of chunks, without copying
 * more than the caller asks for. The tar reader is built on it.
 */
export class ByteReader {
  readonly #source: AsyncIterator<Buffer>;
  #pending: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** Reads exactly `n` bytes, or fewer only at end of stream. */
  async read(n: number): Promise<Buffer> {
    while (this.#pending.length < n && (await this.#fill())) {
      /* keep filling */
    }
    const out = this.#pending.subarray(0, n);
    this.#pending = this.#pending.subarray(out.length);
    return out;
  }

  /** Yields the next `n` bytes in chunks as they arrive; stops short only at end of stream. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#pending.length === 0 && !(await this.#fill())) return;
      const out = this.#pending.subarray(0, left);
      this.#pending = this.#pending.subarray(out.length);
      left -= out.length;
      yield out;
    }
  }

  /** Discards `n` bytes; returns how many were actually there. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    for await (const chunk of this.stream(n)) skipped += chunk.length;
    return skipped;
  }

  async #fill(): Promise<boolean> {
    if (this.#done) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#done = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    return true;
  }
}
