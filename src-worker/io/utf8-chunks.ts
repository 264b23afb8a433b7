const EMPTY = Buffer.alloc(0);

/**
 * Text encoded straight into fixed-size byte chunks (cheaper than joining strings first): the streaming
 * writers hand on one chunk at a time, so each costs one stream write, CRC update or deflate call.
 */
export class Utf8Chunks {
  private chunk: Buffer;
  private used = 0;

  constructor(private readonly size: number) {
    this.chunk = Buffer.allocUnsafe(size);
  }

  /**
   * Appends text. Returns null while it fits in the current chunk; else the full chunk, which now
   * belongs to the caller, the text going to a new one.
   */
  append(text: string): Buffer | null {
    // A UTF-16 unit takes at most 3 bytes in UTF-8, so a text of n units fits in 3n bytes.
    if (text.length * 3 <= this.chunk.length - this.used) {
      this.used += this.chunk.write(text, this.used);
      return null;
    }
    const full = this.take();
    if (text.length * 3 > this.chunk.length) this.chunk = Buffer.allocUnsafe(text.length * 3);
    this.used = this.chunk.write(text, 0);
    return full;
  }

  /** The bytes so far (now the caller's: it may keep them while a stream writes them); starts a new chunk. */
  take(): Buffer {
    const bytes = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(this.size);
    this.used = 0;
    return bytes;
  }

  /** Drops the buffer: nothing more will be written. */
  release(): void {
    this.chunk = EMPTY;
    this.used = 0;
  }
}
