import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { JsonShrinker, type CutString } from './jsonShrinker';

/**
 * Large results on disk. A message too large to hold comfortably is spilled while it arrives: the message
 * as received goes to a file, every long string in it is cut in the copy the host parses and saved whole in
 * a file of its own. Whoever gets the parsed message claims the cuts (`claim`) to learn where the full
 * values are, so a result can be shown as a preview and opened in full as a read-only document.
 *
 * Each message gets a folder named by a random id; only the newest folders are kept (`prune`).
 */

/** A value of a result kept in full on disk, while the result itself holds only its beginning. */
export interface SavedValue {
  /** Where it is in the result, as JSON keys and indexes (`['content', 0, 'text']`). */
  readonly path: readonly (string | number)[];
  /** Its size in UTF-8 bytes. */
  readonly bytes: number;
  /** The folder id and part number: `ResultFiles.file(id, part)` is the file. */
  readonly id: string;
  readonly part: number;
}

export interface ResultFilesLimits {
  /** Messages larger than this are spilled. */
  readonly spillBytes: number;
  /** The bytes of one string kept in the parsed copy of a spilled message. */
  readonly keepBytes: number;
  /** Once a spilled message's parsed copy is this large, later strings keep only `tailKeepBytes`. */
  readonly budgetBytes: number;
  readonly tailKeepBytes: number;
  /** Folders kept; older ones are removed. */
  readonly keepFolders: number;
  /** Total size kept; the oldest folders go first. */
  readonly keepTotalBytes: number;
}

export const DEFAULT_RESULT_FILES_LIMITS: ResultFilesLimits = {
  spillBytes: 1024 * 1024,
  keepBytes: 256 * 1024,
  budgetBytes: 1024 * 1024,
  tailKeepBytes: 4 * 1024,
  keepFolders: 20,
  keepTotalBytes: 1024 * 1024 * 1024,
};

const ID = /^[0-9a-f]{16}$/;
const MARKER_PREFIX = '\u0000mcp-host-cut:';
const MARKER = /\u0000mcp-host-cut:([0-9a-f]{16}):(\d+)$/;
/** Cut strings whose message nobody claimed (a spilled list, say) are forgotten after this many. */
const MAX_UNCLAIMED = 1_000;

export class ResultFiles {
  /** Cut strings not claimed yet: `<id>:<part>` → size. */
  private readonly unclaimed = new Map<string, number>();
  private pruning: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    readonly limits: ResultFilesLimits = DEFAULT_RESULT_FILES_LIMITS,
  ) {}

  /** The file of part `part` of folder `id`, or undefined for anything that is not a well-formed name. */
  file(id: string, part: number | 'message'): string | undefined {
    if (!ID.test(id)) return undefined;
    if (part === 'message') return path.join(this.dir, id, 'message.json');
    return Number.isSafeInteger(part) && part >= 0 ? path.join(this.dir, id, `part-${part}.txt`) : undefined;
  }

  /**
   * Starts spilling one message: write its bytes as they arrive, then `finish` when its line ends. The
   * `secrets` are masked in the files as in everything else the host shows.
   */
  spill(secrets: readonly string[] = []): MessageSpill {
    return new MessageSpill(this, newId(), secrets);
  }

  /** Called by a finished spill. */
  registerCuts(id: string, cuts: readonly CutString[]): void {
    for (const cut of cuts) this.unclaimed.set(`${id}:${cut.index}`, cut.bytes);
    for (const key of this.unclaimed.keys()) {
      if (this.unclaimed.size <= MAX_UNCLAIMED) break;
      this.unclaimed.delete(key);
    }
    void this.prune();
  }

  /**
   * Finds the cut strings in a parsed message (or part of one), strips their markers in place, and says
   * where their full values are. Only cuts this host made count: a server cannot forge one, since it
   * would need the random id of a message it did not see spilled.
   */
  claim(value: unknown): SavedValue[] {
    const saved: SavedValue[] = [];
    if (this.unclaimed.size === 0) return saved;
    const visit = (holder: Record<string | number, unknown>, key: string | number, at: (string | number)[]) => {
      const v = holder[key];
      if (typeof v === 'string') {
        if (!v.includes(MARKER_PREFIX)) return;
        const m = MARKER.exec(v);
        const bytes = m ? this.unclaimed.get(`${m[1]}:${m[2]}`) : undefined;
        if (!m || bytes === undefined) return;
        this.unclaimed.delete(`${m[1]}:${m[2]}`);
        holder[key] = v.slice(0, m.index);
        saved.push({ path: at, bytes, id: m[1]!, part: Number(m[2]) });
      } else if (typeof v === 'object' && v !== null) {
        for (const k of Array.isArray(v) ? v.keys() : Object.keys(v)) visit(v as Record<string | number, unknown>, k, [...at, k]);
      }
    };
    visit({ value }, 'value', []);
    return saved;
  }

  /**
   * The file of a kept value under a readable name (a hard link beside it, read-only), for opening: the
   * name becomes the editor's title. Rejects with ENOENT when the value is no longer kept.
   */
  async named(id: string, part: number | 'message', name: string): Promise<string> {
    const file = this.file(id, part);
    if (!file) throw Object.assign(new Error(`no kept value ${id}/${part}`), { code: 'ENOENT' });
    const safe = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').replace(/^\.+/, '').slice(0, 100) || 'result.txt';
    const named = path.join(path.dirname(file), `${part}`, safe);
    // First, so a value no longer kept fails before its folder would be made again.
    await fs.promises.chmod(file, 0o444);
    await fs.promises.mkdir(path.dirname(named), { recursive: true });
    try {
      await fs.promises.link(file, named);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return named;
      if (code === 'ENOENT') throw err;
      // A file system without hard links: a copy.
      await fs.promises.copyFile(file, named);
    }
    return named;
  }

  /** Saves a value in full that is only shown in part (a result below the spill size, cut for display). */
  async save(text: string): Promise<{ id: string; part: number }> {
    const id = newId();
    await fs.promises.mkdir(path.join(this.dir, id), { recursive: true });
    await fs.promises.writeFile(this.file(id, 0)!, text, 'utf8');
    void this.prune();
    return { id, part: 0 };
  }

  /** Removes the oldest folders beyond the limits. One prune at a time; a request during one is folded into it. */
  prune(): Promise<void> {
    this.pruning ??= this.pruneNow().finally(() => (this.pruning = undefined));
    return this.pruning;
  }

  private async pruneNow(): Promise<void> {
    let names: string[];
    try {
      names = (await fs.promises.readdir(this.dir)).filter(n => ID.test(n));
    } catch {
      return;
    }
    const folders = await Promise.all(
      names.map(async name => {
        const dir = path.join(this.dir, name);
        const stat = await fs.promises.stat(dir).catch(() => undefined);
        let bytes = 0;
        for (const f of await fs.promises.readdir(dir).catch(() => [] as string[])) bytes += (await fs.promises.stat(path.join(dir, f)).catch(() => undefined))?.size ?? 0;
        return { dir, time: stat?.mtimeMs ?? 0, bytes };
      }),
    );
    folders.sort((a, b) => b.time - a.time);
    let total = 0;
    for (const [i, f] of folders.entries()) {
      total += f.bytes;
      // The newest folder stays whatever its size: it is the result being shown.
      if (i > 0 && (i >= this.limits.keepFolders || total > this.limits.keepTotalBytes)) await fs.promises.rm(f.dir, { recursive: true, force: true });
    }
  }
}

function newId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * One message being spilled. `write` returns false when the files are behind: the caller should stop
 * reading until `drained()`. `finish` ends the files and returns the parsed copy's JSON text.
 */
export class MessageSpill {
  private readonly folder: string;
  private readonly streams: fs.WriteStream[] = [];
  private readonly maskers: MaskingWriter[] = [];
  private readonly shrinker: JsonShrinker;
  /** The message as received. */
  private readonly raw: MaskingWriter;
  private error: Error | undefined;
  private behind = false;

  constructor(
    private readonly files: ResultFiles,
    readonly id: string,
    private readonly secrets: readonly string[],
  ) {
    this.folder = path.join(files.dir, id);
    fs.mkdirSync(this.folder, { recursive: true });
    this.raw = this.open(files.file(id, 'message')!);
    const limits = files.limits;
    this.shrinker = new JsonShrinker({
      keepBytes: limits.keepBytes,
      budgetBytes: limits.budgetBytes,
      tailKeepBytes: limits.tailKeepBytes,
      marker: `mcp-host-cut:${id}`,
      openSink: index => this.open(files.file(id, index)!),
    });
  }

  write(chunk: Buffer): boolean {
    this.raw.write(chunk);
    this.shrinker.push(chunk);
    return !this.behind;
  }

  /** Resolves when every file has caught up. */
  drained(): Promise<void> {
    const waiting = this.streams.filter(s => s.writableNeedDrain);
    this.behind = false;
    const caughtUp = (s: fs.WriteStream) =>
      new Promise<void>(resolve => {
        if (!s.writableNeedDrain) return resolve();
        const done = () => {
          s.off('drain', done).off('close', done);
          resolve();
        };
        s.on('drain', done).on('close', done);
      });
    return Promise.all(waiting.map(caughtUp)).then(() => undefined);
  }

  /**
   * The parsed copy's JSON text, once every file is written, and what went wrong saving them (the copy is
   * good even then; only opening the full values fails). A message with nothing cut leaves no folder.
   */
  async finish(): Promise<{ text: string; problem?: string }> {
    const { text, cuts } = this.shrinker.finish();
    for (const m of this.maskers) m.end();
    // 'close' comes after the last write, or after an error.
    await Promise.all(this.streams.map(s => new Promise<void>(resolve => (s.closed ? resolve() : (s.once('close', () => resolve()), s.end())))));
    if (cuts.length === 0) await fs.promises.rm(this.folder, { recursive: true, force: true });
    else this.files.registerCuts(this.id, cuts);
    return this.error ? { text, problem: `could not save a large message in full to ${this.folder}: ${this.error.message}` } : { text };
  }

  /** Gives up (the connection closed mid-message): the folder goes. */
  abort(): void {
    for (const s of this.streams) s.destroy();
    fs.rm(this.folder, { recursive: true, force: true }, () => undefined);
  }

  private open(file: string): MaskingWriter {
    // A deep buffer: the reader pauses only when the disk really falls behind, not after every chunk.
    const stream = fs.createWriteStream(file, { highWaterMark: WRITE_BUFFER_BYTES });
    stream.on('error', err => (this.error ??= err));
    this.streams.push(stream);
    const writer = new MaskingWriter(this.secrets, bytes => {
      if (!stream.write(bytes)) this.behind = true;
    });
    this.maskers.push(writer);
    return writer;
  }
}

/**
 * Masks secrets in a byte stream, also where one spans two chunks: the bytes a secret could still be
 * starting in are held back until the next chunk (or the end). Each secret is masked as written and as
 * escaped in a JSON string, since the full message is kept as JSON.
 */
export class MaskingWriter {
  private readonly forms: Buffer[];
  private readonly hold: number;
  private carry = Buffer.alloc(0);

  constructor(
    secrets: readonly string[],
    private readonly sink: (bytes: Buffer) => void,
  ) {
    const forms = new Set(secrets.filter(Boolean).flatMap(s => [s, JSON.stringify(s).slice(1, -1)]));
    this.forms = [...forms].map(f => Buffer.from(f, 'utf8')).sort((a, b) => b.length - a.length);
    this.hold = this.forms.length ? this.forms[0]!.length - 1 : 0;
  }

  write(chunk: Buffer): void {
    if (this.forms.length === 0) return this.sink(chunk);
    const data = this.masked(this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk);
    const keep = Math.min(this.hold, data.length);
    this.carry = Buffer.from(data.subarray(data.length - keep));
    if (data.length > keep) this.sink(data.subarray(0, data.length - keep));
  }

  end(): void {
    if (this.carry.length) this.sink(this.masked(this.carry));
    this.carry = Buffer.alloc(0);
  }

  private masked(data: Buffer): Buffer {
    for (const form of this.forms) {
      let at = data.indexOf(form);
      if (at === -1) continue;
      const parts: Buffer[] = [];
      let from = 0;
      for (; at !== -1; at = data.indexOf(form, from)) {
        parts.push(data.subarray(from, at), MASK);
        from = at + form.length;
      }
      parts.push(data.subarray(from));
      data = Buffer.concat(parts);
    }
    return data;
  }
}

const MASK = Buffer.from('***');
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;
