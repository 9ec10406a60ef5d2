/**
 * Splits a byte stream into newline-terminated lines in linear time: each chunk is scanned once, and
 * the bytes of an incomplete line are only joined when its newline arrives.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.check(nl - start);
      const piece = chunk.subarray(start, nl);
      const line = this.pending.length ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.pendingBytes = 0;
      lines.push(line.toString('utf8').replace(/\r$/, ''));
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.check(chunk.length - start);
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
    }
    return lines;
  }

  private check(adding: number): void {
    if (this.pendingBytes + adding > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
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
