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
