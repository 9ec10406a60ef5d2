/**
 * Reads one oversized JSON text (a JSON-RPC message on one line) chunk by chunk, in constant memory and
 * in time linear in its size, and keeps a reduced copy in which every long string is cut to its first
 * bytes. The full value of each cut string is decoded and handed to a sink of its own (a file), so nothing
 * is lost, and the reduced copy is small enough to parse without stalling the event loop.
 *
 * The structure (objects, arrays, numbers, short strings) is kept as is: only strings are cut. A cut string
 * ends with `\u0000<marker>:<index>` in the reduced copy, so whoever parses it can find and claim the cut.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Where the decoded bytes of one cut string go. */
export interface ByteSink {
  write(bytes: Buffer): void;
}

export interface ShrinkOptions {
  /** The bytes of a string (as encoded in the JSON text) kept before it is cut. */
  readonly keepBytes: number;
  /** Once the reduced copy is this large, later strings keep only `tailKeepBytes`. */
  readonly budgetBytes: number;
  readonly tailKeepBytes: number;
  /** Written after the kept bytes of a cut string, then `:<index>`; plain ASCII with no quote or backslash. */
  readonly marker: string;
  /** A sink for the decoded value of cut string `index`. */
  readonly openSink: (index: number) => ByteSink;
}

export interface CutString {
  readonly index: number;
  /** The decoded value's size in UTF-8 bytes. */
  readonly bytes: number;
}

export class JsonShrinker {
  private readonly out: Buffer[] = [];
  private outBytes = 0;
  private inString = false;
  /** How many backslashes the current string's content ends with, so far: an odd count escapes a quote. */
  private trailingBackslashes = 0;
  /** The current string's encoded bytes while it is still short enough to keep whole. */
  private head: Buffer[] = [];
  private headBytes = 0;
  private keepLimit = 0;
  private decoder: JsonStringDecoder | undefined;
  private readonly cuts: CutString[] = [];

  constructor(private readonly options: ShrinkOptions) {
    if (!/^[\x20-\x7e]*$/.test(options.marker) || /["\\]/.test(options.marker)) throw new Error('the marker must be printable ASCII without quotes or backslashes');
  }

  /** Only quotes are searched for (natively); escapes matter only as the backslashes right before a quote. */
  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (!this.inString) {
        const quote = chunk.indexOf(QUOTE, i);
        if (quote === -1) {
          this.emit(chunk.subarray(i));
          return;
        }
        this.emit(chunk.subarray(i, quote + 1));
        i = quote + 1;
        this.startString();
        continue;
      }
      let from = i;
      for (;;) {
        const quote = chunk.indexOf(QUOTE, from);
        if (quote === -1) {
          this.content(chunk.subarray(i));
          this.trailingBackslashes = backslashesBefore(chunk, i, chunk.length, this.trailingBackslashes);
          return;
        }
        if (backslashesBefore(chunk, i, quote, this.trailingBackslashes) % 2 === 1) {
          from = quote + 1;
          continue;
        }
        this.content(chunk.subarray(i, quote));
        this.endString();
        this.emit(chunk.subarray(quote, quote + 1));
        i = quote + 1;
        break;
      }
    }
  }

  /** The reduced JSON text and what was cut. */
  finish(): { text: string; cuts: readonly CutString[] } {
    if (this.inString) throw new Error('the JSON text ends inside a string');
    return { text: Buffer.concat(this.out, this.outBytes).toString('utf8'), cuts: this.cuts };
  }

  private emit(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.out.push(bytes);
    this.outBytes += bytes.length;
  }

  private startString(): void {
    this.inString = true;
    this.trailingBackslashes = 0;
    this.head = [];
    this.headBytes = 0;
    this.keepLimit = this.outBytes < this.options.budgetBytes ? this.options.keepBytes : this.options.tailKeepBytes;
  }

  private content(bytes: Buffer): void {
    if (this.decoder) {
      this.decoder.push(bytes);
      return;
    }
    this.head.push(bytes);
    this.headBytes += bytes.length;
    if (this.headBytes <= this.keepLimit) return;
    // Too long: keep a prefix that ends on a whole character, hand the whole value to a sink from here on.
    const encoded = Buffer.concat(this.head, this.headBytes);
    const index = this.cuts.length;
    this.decoder = new JsonStringDecoder(this.options.openSink(index));
    this.decoder.push(encoded);
    this.head = [encoded.subarray(0, safeCut(encoded, this.keepLimit))];
  }

  private endString(): void {
    this.inString = false;
    for (const b of this.head) this.emit(b);
    if (this.decoder) {
      const index = this.cuts.length;
      this.cuts.push({ index, bytes: this.decoder.end() });
      this.emit(Buffer.from(`\\u0000${this.options.marker}:${index}`, 'ascii'));
      this.decoder = undefined;
    }
    this.head = [];
  }
}

/**
 * The longest prefix of encoded string bytes, at most `limit` long, that ends on a whole character: not
 * inside an escape, a UTF-8 sequence, or between the two halves of an escaped surrogate pair.
 */
export function safeCut(encoded: Buffer, limit: number): number {
  let safe = 0;
  let i = 0;
  while (i < encoded.length) {
    let next: number;
    const b = encoded[i]!;
    if (b === BACKSLASH) {
      if (encoded[i + 1] === 0x75 /* u */) {
        next = i + 6;
        const unit = parseInt(encoded.toString('latin1', i + 2, i + 6), 16);
        // A high surrogate belongs with the escape after it.
        if (unit >= 0xd800 && unit <= 0xdbff && encoded[i + 6] === BACKSLASH && encoded[i + 7] === 0x75) next = i + 12;
      } else {
        next = i + 2;
      }
    } else {
      next = i + (b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1);
    }
    if (next > limit) break;
    safe = next;
    i = next;
  }
  return safe;
}

/** The backslashes right before `end` in `chunk[from..end)`, plus `carried` when they reach back to `from`. */
function backslashesBefore(chunk: Buffer, from: number, end: number, carried: number): number {
  let n = 0;
  while (end - n - 1 >= from && chunk[end - n - 1] === BACKSLASH) n++;
  return end - n === from ? n + carried : n;
}


/** `buf[k]` starts an escape: the run of backslashes ending at it is odd. */
function startsEscape(buf: Buffer, k: number): boolean {
  return k >= 0 && buf[k] === BACKSLASH && backslashesBefore(buf, 0, k + 1, 0) % 2 === 1;
}

/** `buf[k..k+6)` is a complete escaped high surrogate (`\uD800`–`\uDBFF`). */
function isHighEscape(buf: Buffer, k: number): boolean {
  if (k < 0 || k + 6 > buf.length || !startsEscape(buf, k) || buf[k + 1] !== 0x75) return false;
  const unit = parseInt(buf.toString('latin1', k + 2, k + 6), 16);
  return unit >= 0xd800 && unit <= 0xdbff;
}

/**
 * Where encoded string bytes (which start on a whole character) can be cut so that the part before ends on
 * one: not inside an escape, a UTF-8 sequence, or before the low half of an escaped surrogate pair.
 * Only the end is looked at: the last backslash is the only one that can start an unfinished escape.
 */
export function safeEnd(buf: Buffer): number {
  const len = buf.length;
  const k = buf.lastIndexOf(BACKSLASH);
  if (k !== -1 && k >= len - 12 && startsEscape(buf, k)) {
    if (k === len - 1 || (buf[k + 1] === 0x75 && k + 6 > len)) return isHighEscape(buf, k - 6) ? k - 6 : k;
    if (isHighEscape(buf, k) && k + 6 === len) return k;
  }
  for (let p = len - 1; p >= Math.max(0, len - 4); p--) {
    const b = buf[p]!;
    if ((b & 0xc0) === 0x80) continue;
    const size = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return p + size > len ? p : len;
  }
  return len;
}

/**
 * Decodes the encoded bytes of a JSON string (escapes included, quotes not) to UTF-8, whatever the
 * chunking. Each chunk is decoded natively by `JSON.parse`, after holding back an unfinished character;
 * lone surrogates become U+FFFD, as `Buffer.from` makes them. Bytes that are not valid JSON string
 * content (raw control characters, a bad escape) are passed on as they are.
 */
export class JsonStringDecoder {
  private pending: Buffer | undefined;
  private written = 0;

  constructor(private readonly sink: ByteSink) {}

  push(bytes: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, bytes]) : bytes;
    const end = safeEnd(buf);
    this.pending = end < buf.length ? Buffer.from(buf.subarray(end)) : undefined;
    if (end > 0) this.decode(buf.subarray(0, end));
  }

  /** Flushes what is left; returns the decoded size in bytes. */
  end(): number {
    if (this.pending) this.decode(this.pending);
    this.pending = undefined;
    return this.written;
  }

  private decode(encoded: Buffer): void {
    let bytes = encoded;
    if (encoded.indexOf(BACKSLASH) !== -1) {
      try {
        bytes = Buffer.from(JSON.parse(`"${encoded.toString('utf8')}"`) as string, 'utf8');
      } catch {
        // Not valid JSON string content: kept as received.
      }
    }
    this.written += bytes.length;
    this.sink.write(bytes);
  }
}
