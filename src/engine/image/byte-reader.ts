const EMPTY = Buffer.alloc(0);

/**
 * Pulls exact byte counts out of an async stream of chunks, without copying
 * more than the caller asks for. The tar reader is built on it.
 */
export class ByteReader {
  readonly #source: AsyncIterator<Buffer>;
  #pending: Buffer = EMPTY;
  #done = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** Reads exactly `n` bytes, or fewer only at end of stream. */
  async read(n: number): Promise<Buffer> {
    if (this.#pending.length >= n) return this.#take(n);
    // Across a chunk boundary only the `n` bytes asked for are copied, not the next chunk.
    const parts = [this.#pending];
    let have = this.#pending.length;
    this.#pending = EMPTY;
    while (have < n && (await this.#fill())) {
      const part = this.#take(n - have);
      parts.push(part);
      have += part.length;
    }
    return Buffer.concat(parts, have);
  }

  /**
   * Up to `max` of the next bytes, as they are at hand (at most one chunk's
   * worth); empty only at end of stream.
   */
  async piece(max: number): Promise<Buffer> {
    if (this.#pending.length === 0 && !(await this.#fill())) return EMPTY;
    return this.#take(max);
  }

  /** Yields the next `n` bytes in chunks as they arrive; stops short only at end of stream. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    for (let left = n; left > 0; ) {
      const out = await this.piece(left);
      if (out.length === 0) return;
      left -= out.length;
      yield out;
    }
  }

  /** Discards `n` bytes; returns how many were actually there. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      const out = await this.piece(n - skipped);
      if (out.length === 0) break;
      skipped += out.length;
    }
    return skipped;
  }

  #take(n: number): Buffer {
    const out = this.#pending.subarray(0, n);
    this.#pending = this.#pending.subarray(out.length);
    return out;
  }

  /** Makes the next chunk the pending one (only called when nothing is pending). */
  async #fill(): Promise<boolean> {
    if (this.#done) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#done = true;
      return false;
    }
    this.#pending = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    return true;
  }
}
