/** A line too long to hold in memory whole, written somewhere as it arrives (see resultFiles.ts). */
export interface LineSpill {
  /** False when the spill is behind: stop reading until `drained()`. */
  write(chunk: Buffer): boolean;
  drained(): Promise<void>;
  /** The line's reduced text once it is complete, and what went wrong keeping it in full. */
  finish(): Promise<{ text: string; problem?: string }>;
  abort(): void;
}

export interface SpillOptions {
  /** A line longer than this is spilled instead of held in memory. */
  readonly thresholdBytes: number;
  start(): LineSpill;
}

/** A complete line: its text, or a spilled line's reduced text to come. */
export type Line = string | Promise<{ text: string; problem?: string }>;

/**
 * Splits a byte stream into newline-terminated lines in linear time: each chunk is scanned once, and
 * the bytes of an incomplete line are only joined when its newline arrives. With `spill`, a line that grows
 * past its threshold goes to a `LineSpill` from then on, so memory stays bounded however long it gets.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private spilling: LineSpill | undefined;
  /** Resolves when a spill that fell behind has caught up; the reader should wait for it. */
  backpressure: Promise<void> | undefined;

  constructor(
    private readonly maxLineBytes: number,
    private readonly spill?: SpillOptions,
  ) {}

  push(chunk: Buffer): Line[] {
    const lines: Line[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.check(nl - start);
      const piece = chunk.subarray(start, nl);
      if (this.spilling) {
        this.toSpill(piece);
        lines.push(this.spilling.finish());
        this.spilling = undefined;
      } else {
        const line = this.pending.length ? Buffer.concat([...this.pending, piece]) : piece;
        lines.push(line.toString('utf8').replace(/\r$/, ''));
      }
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.check(chunk.length - start);
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
      if (this.spilling) {
        this.toSpill(chunk.subarray(start));
        this.pending = [];
      } else if (this.spill && this.pendingBytes > this.spill.thresholdBytes) {
        this.spilling = this.spill.start();
        for (const piece of this.pending) this.toSpill(piece);
        this.pending = [];
      }
    }
    return lines;
  }

  /** Gives up a line cut short (the stream ended inside it). */
  abort(): void {
    this.spilling?.abort();
    this.spilling = undefined;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private toSpill(piece: Buffer): void {
    if (piece.length && !this.spilling!.write(piece)) this.backpressure ??= this.spilling!.drained().finally(() => (this.backpressure = undefined));
  }

  private check(adding: number): void {
    if (this.pendingBytes + adding > this.maxLineBytes) {
      this.abort();
      throw new Error(`the server sent a message larger than ${Math.round(this.maxLineBytes / (1024 * 1024))} MiB; the connection was closed to protect the editor`);
    }
  }
}

/**
 * Splits decoded text (a server's stderr) into lines of at most `maxLineChars` characters. A server that
 * writes without newlines cannot grow the host's memory: past the limit, the rest of a line is only
 * counted, and the line ends with how much was left out.
 */
export class BoundedLineSplitter {
  private pending = '';
  private dropped = 0;

  constructor(private readonly maxLineChars: number) {}

  push(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.take(text, start, nl);
      lines.push(this.flush());
      start = nl + 1;
    }
    this.take(text, start, text.length);
    return lines;
  }

  /** The last line, when the stream ends without a newline. */
  end(): string[] {
    return this.pending || this.dropped ? [this.flush()] : [];
  }

  private take(text: string, start: number, end: number): void {
    const room = Math.max(0, this.maxLineChars - this.pending.length);
    let keep = Math.min(end - start, room);
    // Never keep half of a surrogate pair.
    if (keep > 0 && keep < end - start && /[\ud800-\udbff]/.test(text[start + keep - 1]!)) keep--;
    this.pending += text.slice(start, start + keep);
    this.dropped += end - start - keep;
  }

  private flush(): string {
    const line = this.dropped ? `${this.pending}… (${this.dropped} more characters)` : this.pending.replace(/\r$/, '');
    this.pending = '';
    this.dropped = 0;
    return line;
  }
}
