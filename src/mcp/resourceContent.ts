import type { ReadResourceResult } from '@modelcontextprotocol/client';

/**
 * How a resource read becomes something an editor can show: a text document in the right language
 * (chosen by file extension), image bytes for the image preview, or a Markdown summary for binary and
 * multi-part content. No `vscode` here: the resource file system provider only wires this up.
 */

export type ResourcePart = ReadResourceResult['contents'][number];

/** The URI scheme of read-only resource documents (VS Code's own MCP support has taken `mcp-resource`). */
export const RESOURCE_SCHEME = 'mcp-host-resource';

/** What a resource document shows: one server's resource, whole or one part of it, under a file name. */
export interface ResourceAddress {
  readonly server: string;
  readonly uri: string;
  /** Zero-based index of one content part; absent for the whole read. */
  readonly part?: number;
  /** The last path segment; its extension decides the editor and language. */
  readonly fileName: string;
}

const PLAIN_SEGMENT = /^[A-Za-z0-9_.-]+$/;

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A path segment that survives any URI encoding round trip: plain names as they are, others base64url after `~`. */
function encodeSegment(text: string): string {
  return PLAIN_SEGMENT.test(text) && !text.startsWith('~') ? text : `~${base64url(text)}`;
}

function decodeSegment(segment: string): string {
  return segment.startsWith('~') ? Buffer.from(segment.slice(1), 'base64url').toString('utf8') : segment;
}

/**
 * A resource document's URI: path `/<server>/<file>` or `/<server>/part-<n>/<file>`, and the resource URI,
 * base64url, as the query, so that its slashes and percent signs never meet a URI parser. The path is what
 * the editor's breadcrumb shows (the server, then the file name, chosen from the resource's name), so it
 * holds nothing encoded; the file name's extension picks the language, so it must be one safe segment.
 */
export function formatResourcePath(address: ResourceAddress): string {
  const part = address.part === undefined ? '' : `/part-${address.part + 1}`;
  return `/${encodeSegment(address.server)}${part}/${sanitize(address.fileName) || 'resource'}`;
}

export function formatResourceQuery(address: ResourceAddress): string {
  return base64url(address.uri);
}

/**
 * Reads a document URI's path and query. Without a query it reads the earlier form, which had the resource
 * URI as the second path segment (`/<server>/<uri, base64url>[/part-<n>]/<file>`), so editors restored from
 * an earlier window still open.
 */
export function parseResourcePath(path: string, query = ''): ResourceAddress | undefined {
  const segments = path.split('/').slice(1);
  let uri = query;
  if (!query) {
    if (segments.length !== 3 && segments.length !== 4) return undefined;
    uri = segments.splice(1, 1)[0]!;
  }
  if (segments.length !== 2 && segments.length !== 3) return undefined;
  // `/<server>/part-<n>` is the folder above a part, whatever query it carries.
  if (segments.length === 2 && /^part-\d+$/.test(segments[1]!)) return undefined;
  const [server, ...rest] = segments as [string, ...string[]];
  let part: number | undefined;
  if (rest.length === 2) {
    const m = /^part-(\d+)$/.exec(rest[0]!);
    if (!m || Number(m[1]) < 1) return undefined;
    part = Number(m[1]) - 1;
  }
  if (!server || !uri || !/^[A-Za-z0-9_-]+$/.test(uri) || !rest.at(-1)) return undefined;
  return { server: decodeSegment(server), uri: Buffer.from(uri, 'base64url').toString('utf8'), ...(part !== undefined ? { part } : {}), fileName: rest.at(-1)! };
}

/** File extensions by MIME type, so VS Code picks the language (and the image preview) itself. */
const EXTENSIONS: Record<string, string> = {
  'text/markdown': '.md',
  'text/x-markdown': '.md',
  'application/json': '.json',
  'text/json': '.json',
  'application/x-ndjson': '.jsonl',
  'application/jsonl': '.jsonl',
  'text/x-python': '.py',
  'text/x-script.python': '.py',
  'application/x-python': '.py',
  'application/x-python-code': '.py',
  'text/javascript': '.js',
  'application/javascript': '.js',
  'application/typescript': '.ts',
  'text/typescript': '.ts',
  'text/x-typescript': '.ts',
  'text/html': '.html',
  'text/css': '.css',
  'text/csv': '.csv',
  'application/xml': '.xml',
  'text/xml': '.xml',
  'application/yaml': '.yaml',
  'application/x-yaml': '.yaml',
  'text/yaml': '.yaml',
  'text/x-yaml': '.yaml',
  'application/toml': '.toml',
  'text/x-toml': '.toml',
  'application/sql': '.sql',
  'text/x-sql': '.sql',
  'text/x-sh': '.sh',
  'application/x-sh': '.sh',
  'text/x-shellscript': '.sh',
  'text/x-rust': '.rs',
  'text/x-go': '.go',
  'text/x-java': '.java',
  'text/x-java-source': '.java',
  'text/x-c': '.c',
  'text/x-csrc': '.c',
  'text/x-c++': '.cpp',
  'text/x-c++src': '.cpp',
  'text/x-csharp': '.cs',
  'text/x-ruby': '.rb',
  'text/x-php': '.php',
  'application/x-httpd-php': '.php',
  'text/x-diff': '.diff',
  'text/x-patch': '.diff',
  'text/plain': '.txt',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/jpg': '.jpg',
  'image/gif': '.gif',
  'image/svg+xml': '.svg',
  'image/webp': '.webp',
  'image/bmp': '.bmp',
  'image/x-icon': '.ico',
  'image/vnd.microsoft.icon': '.ico',
};

/** Other extensions that already say the same as the MIME type's (a `.markdown` file need not become `.markdown.md`). */
const SYNONYMS: Record<string, readonly string[]> = {
  '.md': ['.markdown'],
  '.yaml': ['.yml'],
  '.jpg': ['.jpeg'],
  '.txt': ['.text', '.log'],
  '.js': ['.mjs', '.cjs'],
  '.html': ['.htm'],
};

/** `type/subtype` in lower case, without parameters such as `; charset=utf-8`. */
export function essence(mimeType: string | undefined): string {
  return (mimeType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The file extension that makes VS Code choose the right language or viewer, when the MIME type says. */
export function extensionForMime(mimeType: string | undefined): string | undefined {
  const mime = essence(mimeType);
  if (EXTENSIONS[mime]) return EXTENSIONS[mime];
  if (mime.endsWith('+json')) return '.json';
  if (mime.endsWith('+xml')) return '.xml';
  if (mime.endsWith('+yaml')) return '.yaml';
  return undefined;
}

/** The language VS Code gives a document of this MIME type (by the extension above); for display and tests. */
export function languageForMime(mimeType: string | undefined): string | undefined {
  const ext = extensionForMime(mimeType);
  const byExt: Record<string, string> = {
    '.md': 'markdown',
    '.json': 'json',
    '.jsonl': 'jsonl',
    '.py': 'python',
    '.js': 'javascript',
    '.ts': 'typescript',
    '.html': 'html',
    '.css': 'css',
    '.csv': 'csv',
    '.xml': 'xml',
    '.yaml': 'yaml',
    '.toml': 'toml',
    '.sql': 'sql',
    '.sh': 'shellscript',
    '.rs': 'rust',
    '.go': 'go',
    '.java': 'java',
    '.c': 'c',
    '.cpp': 'cpp',
    '.cs': 'csharp',
    '.rb': 'ruby',
    '.php': 'php',
    '.diff': 'diff',
    '.txt': 'plaintext',
  };
  return ext ? byExt[ext] : undefined;
}

/** Images VS Code's built-in preview can show. */
export function isImageMime(mimeType: string | undefined): boolean {
  const ext = extensionForMime(mimeType);
  return !!ext && ['.png', '.jpg', '.gif', '.svg', '.webp', '.bmp', '.ico'].includes(ext);
}

/** Binary content that is really text (a blob of `text/*`, JSON, XML…), shown as text rather than as a hex dump. */
export function isTextualMime(mimeType: string | undefined): boolean {
  const mime = essence(mimeType);
  if (mime.startsWith('text/')) return true;
  const ext = extensionForMime(mime);
  return !!ext && !isImageMime(mime);
}

/**
 * A file name for a resource: the last segment of its URI (or its name), made safe, with the extension its
 * MIME type calls for unless it already has it.
 */
export function fileNameFor(resourceUri: string, mimeType: string | undefined, nameHint?: string): string {
  const withoutQuery = resourceUri.replace(/[?#].*$/, '');
  let last = withoutQuery.split('/').filter(Boolean).at(-1) ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    // Keep the raw segment when it is not valid percent-encoding.
  }
  // A bare `scheme:` or `host` says nothing about the content; the resource's name is a better label.
  if (!last || /:$/.test(last) || withoutQuery.endsWith(`//${last}`)) last = nameHint ?? last;
  let base = sanitize(last) || 'resource';
  const ext = extensionForMime(mimeType);
  const lower = base.toLowerCase();
  if (ext && !lower.endsWith(ext) && !(SYNONYMS[ext] ?? []).some(s => lower.endsWith(s))) base += ext;
  return base;
}

function sanitize(name: string): string {
  return name
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, '')
    .replace(/[/\\:*?"<>|%#]/g, '_')
    .trim()
    .slice(0, 120);
}

/** The bytes of one content part: text as UTF-8, a blob decoded from base64. */
export function partBytes(part: ResourcePart): Uint8Array {
  return 'blob' in part && typeof part.blob === 'string' ? new Uint8Array(Buffer.from(part.blob, 'base64')) : new TextEncoder().encode((part as { text: string }).text);
}

function isBlob(part: ResourcePart): boolean {
  return 'blob' in part && typeof part.blob === 'string';
}

/** JSON re-indented for reading; text that does not parse is returned unchanged. */
export function prettyJson(text: string): string {
  try {
    return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  } catch {
    return text;
  }
}

/** A classic hex dump (offset, 16 bytes, ASCII) of the first `limit` bytes. */
export function hexPreview(bytes: Uint8Array, limit = 64): string {
  const lines: string[] = [];
  const shown = bytes.subarray(0, limit);
  for (let offset = 0; offset < shown.length; offset += 16) {
    const row = [...shown.subarray(offset, offset + 16)];
    const hex = row.map(b => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = row.map(b => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${ascii}|`);
  }
  if (bytes.length > limit) lines.push(`… ${bytes.length - limit} more bytes`);
  return lines.join('\n');
}

/** What an editor shows for a resource (or one part of it). */
export type ResourceView =
  /** A text document; the file name's extension picks the language. */
  | { readonly kind: 'text'; readonly fileName: string; readonly text: string }
  /** Image bytes for the built-in image preview. */
  | { readonly kind: 'image'; readonly fileName: string; readonly bytes: Uint8Array }
  /** A Markdown summary: binary content (with a hex preview) or a read with several parts. */
  | { readonly kind: 'summary'; readonly fileName: string; readonly text: string; readonly binary?: { readonly mimeType: string; readonly bytes: Uint8Array } };

export interface ViewContext {
  /** The resource URI that was read. */
  readonly uri: string;
  /** The resource's name from the listing, for a file name when the URI has none. */
  readonly name?: string;
  /** The MIME type from the listing, used when a part has none. */
  readonly mimeType?: string;
  /** A link to one part of the read, opened as its own document. */
  readonly linkToPart: (index: number, fileName: string) => string;
}

/** The view of a whole read: one part as itself, several as a Markdown summary with one section per part. */
export function viewOfRead(contents: readonly ResourcePart[], context: ViewContext): ResourceView {
  if (contents.length === 1) return viewOfPart(contents[0]!, context);
  const base = fileNameFor(context.uri, undefined, context.name);
  const sections = contents.map((part, i) => {
    const mime = part.mimeType ?? context.mimeType;
    const title = `## Part ${i + 1} of ${contents.length}: ${inlineCode(part.uri)}${mime ? ` (${inlineCode(essence(mime))})` : ''}`;
    const fileName = fileNameFor(part.uri, mime, `part-${i + 1}`);
    const link = `[Open part ${i + 1} as ${fileName.replace(/[[\]\\]/g, '_')}](${context.linkToPart(i, fileName)})`;
    if (!isBlob(part) && !isImageMime(mime)) {
      const text = (part as { text: string }).text;
      return `${title}\n\n${fence(isJsonMime(mime) ? prettyJson(text).trimEnd() : text, languageForMime(mime) ?? 'text')}\n\n${link}`;
    }
    const bytes = partBytes(part);
    const what = isImageMime(mime) ? 'Image' : 'Binary content';
    return `${title}\n\n${what}, ${formatBytes(bytes.length)}. ${link}\n\n${fence(hexPreview(bytes, 32), 'text')}`;
  });
  const text = [`# ${inlineCode(context.uri)}`, '', `${contents.length === 0 ? 'The server returned no content.' : `${contents.length} parts.`}`, '', ...sections.flatMap(s => [s, ''])].join('\n');
  return { kind: 'summary', fileName: `${base} (${contents.length} parts).md`, text };
}

/** The view of one part: text in its language, an image as bytes, anything else binary as a summary. */
export function viewOfPart(part: ResourcePart, context: Omit<ViewContext, 'linkToPart'>): ResourceView {
  const mime = part.mimeType ?? context.mimeType;
  const fileName = fileNameFor(part.uri || context.uri, mime, context.name);
  if (isImageMime(mime)) return { kind: 'image', fileName, bytes: partBytes(part) };
  if (!isBlob(part)) {
    const text = (part as { text: string }).text;
    return { kind: 'text', fileName: extensionForMime(mime) ? fileName : ensureTextExtension(fileName), text: isJsonMime(mime) ? prettyJson(text) : text };
  }
  const bytes = partBytes(part);
  if (isTextualMime(mime)) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    return { kind: 'text', fileName, text: isJsonMime(mime) ? prettyJson(text) : text };
  }
  const type = essence(mime) || 'unknown type';
  const text = [
    `# ${inlineCode(part.uri || context.uri)}`,
    '',
    `Binary content: ${inlineCode(type)}, ${formatBytes(bytes.length)}. It is not shown as text.`,
    '',
    `First ${Math.min(64, bytes.length)} bytes:`,
    '',
    fence(hexPreview(bytes, 64), 'text'),
    '',
    'To keep it, run **MCP Host: Save Resource to File…** (the save button in this editor’s title bar).',
    '',
  ].join('\n');
  return { kind: 'summary', fileName: `${fileName} (binary).md`, text, binary: { mimeType: type, bytes } };
}

function ensureTextExtension(fileName: string): string {
  return /\.[A-Za-z0-9]{1,8}$/.test(fileName) ? fileName : `${fileName}.txt`;
}

function isJsonMime(mime: string | undefined): boolean {
  return extensionForMime(mime) === '.json';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} byte${n === 1 ? '' : 's'}`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Untrusted text in a fenced block whose fence is longer than any backtick run inside it. */
export function fence(text: string, language: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map(m => m[0].length));
  const f = '`'.repeat(Math.max(3, longest + 1));
  return `${f}${language}\n${text}\n${f}`;
}

function inlineCode(text: string): string {
  const clean = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map(m => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${longest ? ' ' : ''}${clean}${longest ? ' ' : ''}${ticks}`;
}
