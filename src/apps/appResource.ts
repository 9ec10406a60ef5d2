import { APP_MIME_TYPE, sandboxPolicy, type AppSandboxPolicy } from './appMeta';

/** An app's UI, fetched with `resources/read`: its HTML and the sandbox the host will apply. */
export interface AppResource {
  readonly uri: string;
  readonly html: string;
  readonly policy: AppSandboxPolicy;
}

/** The part of a connection the fetch needs; any SDK's `ReadResourceResult` fits. */
export interface ResourceReader {
  readResource(uri: string, signal?: AbortSignal): Promise<{ readonly contents: ReadonlyArray<ResourceContent> }>;
}
interface ResourceContent {
  readonly uri: string;
  readonly mimeType?: string | undefined;
  readonly text?: string;
  readonly blob?: string;
  readonly _meta?: Record<string, unknown> | undefined;
}

/** An app's HTML is small; a huge one is refused instead of being posted into a webview. */
export const MAX_APP_HTML_BYTES = 5 * 1024 * 1024;

export class AppResourceError extends Error {}

function normalizedMime(mime: string | undefined): string {
  return (mime ?? '').replace(/\s+/g, '').toLowerCase();
}

/** Reads and checks one app resource: exactly the MCP App MIME type, text or base64 HTML, within the size limit. */
export async function fetchAppResource(reader: ResourceReader, uri: string, signal?: AbortSignal): Promise<AppResource> {
  const { contents } = await reader.readResource(uri, signal);
  const content = contents.find(c => c.uri === uri) ?? contents[0];
  if (!content) throw new AppResourceError(`The server returned no content for the app resource ${uri}.`);
  if (normalizedMime(content.mimeType) !== APP_MIME_TYPE) {
    throw new AppResourceError(`The app resource ${uri} has MIME type '${content.mimeType ?? '(none)'}', not '${APP_MIME_TYPE}'; it is not rendered.`);
  }
  let html: string;
  if (typeof content.text === 'string') html = content.text;
  else if (typeof content.blob === 'string') html = Buffer.from(content.blob, 'base64').toString('utf8');
  else throw new AppResourceError(`The app resource ${uri} has neither text nor blob content.`);
  if (Buffer.byteLength(html, 'utf8') > MAX_APP_HTML_BYTES) {
    throw new AppResourceError(`The app resource ${uri} is larger than ${MAX_APP_HTML_BYTES / 1024 / 1024} MiB; it is not rendered.`);
  }
  return { uri, html, policy: sandboxPolicy(content._meta) };
}

/**
 * App resources, cached per server definition: a server whose definition changes (or that is replaced under
 * the same name) gets its resources read again, because the key holds the definition's hash. Concurrent
 * requests share one read; a failed read is not kept.
 */
export class AppResourceCache {
  private readonly entries = new Map<string, Promise<AppResource>>();

  get(server: string, definitionHash: string, uri: string, reader: ResourceReader): Promise<AppResource> {
    const key = `${server}\u0000${definitionHash}\u0000${uri}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = fetchAppResource(reader, uri);
      this.entries.set(key, entry);
      entry.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    }
    return entry;
  }

  /** Forgets a server's resources (it stopped, or told us its resources changed). */
  forget(server: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(`${server}\u0000`)) this.entries.delete(key);
  }
}
