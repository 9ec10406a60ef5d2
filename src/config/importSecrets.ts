import type { ServerEntry } from './types';
import { inputDestination } from './inputBinding';
import { looksSecretName } from './variables';

/**
 * Finding credentials in a server entry another host wrote, so an import moves them to secret storage
 * instead of copying them into a file that is usually committed. Names are one signal (`API_KEY`,
 * `Authorization`, `--token`); values are the other: a URL's `user:password@`, a secret-looking query
 * parameter, a token with a known prefix (`sk-`, `ghp_`, `xoxb-`, `AKIA`…) or a long random-looking string
 * in a URL path or an argument. A value that is only a `${…}` reference holds nothing to move.
 */

export interface MovedSecret {
  readonly server: string;
  /** Where the value was, for the user: `env DATABASE_URL (password)`, `argument --api-key`, `URL path`… */
  readonly where: string;
  readonly inputId: string;
  /** The plaintext value, for the caller to put in secret storage under `inputId` so the user is not asked again. */
  readonly value: string;
  /** Where the server sends it (config/inputBinding.ts): the stored value is bound to it. */
  readonly destination: string;
}

/** A part of a string to replace: [start, end). */
type Span = readonly [number, number, string];

const KNOWN_TOKEN =
  /(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}|sk_(?:live|test)_[A-Za-z0-9]{16,}|rk_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|glpat-[\w-]{20,}|xox[abposr]-[\w-]{10,}|AKIA[0-9A-Z]{16}|AIza[\w-]{30,}|hf_[A-Za-z0-9]{20,}|npm_[A-Za-z0-9]{30,}|pypi-[\w-]{20,}|eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,})/g;
const REFERENCE = /\$\{[^${}]*\}/;
const SCHEME = /^(bearer|basic|token)\s+(?=\S)/i;

/**
 * Long, letters and digits mixed all through (not a name with a version at its end), and as varied as random
 * text: an opaque key rather than words, a version or a path.
 */
export function looksRandom(value: string): boolean {
  if (value.length < 24 || !/^[A-Za-z0-9_\-+=~.]+$/.test(value)) return false;
  const classes = value.replace(/[^A-Za-z0-9]/g, '').replace(/[A-Za-z]+/g, 'a').replace(/[0-9]+/g, '0');
  if (classes.length < 5) return false;
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) entropy -= (n / value.length) * Math.log2(n / value.length);
  return entropy >= 3.5;
}

/** Credentials inside a free-form value: URL passwords, secret query values, known token shapes. */
function spansIn(value: string): Span[] {
  const spans: Span[] = [];
  const userinfo = /\b[a-z][\w+.-]*:\/\/[^/\s:@]+:([^/\s@]+)@/gi;
  for (const m of value.matchAll(userinfo)) {
    const start = m.index + m[0].length - 1 - m[1]!.length;
    spans.push([start, start + m[1]!.length, 'password']);
  }
  for (const m of value.matchAll(/[?&]([^=&#\s]+)=([^&#\s]+)/g)) {
    const secret = m[2]!;
    if (looksSecretName(decodeSafely(m[1]!)) || looksRandom(secret) || new RegExp(`^${KNOWN_TOKEN.source}$`).test(secret)) {
      const start = m.index + m[0].length - secret.length;
      spans.push([start, start + secret.length, m[1]!]);
    }
  }
  for (const m of value.matchAll(KNOWN_TOKEN)) spans.push([m.index, m.index + m[0].length, 'token']);
  return spans;
}

/** Path segments of a URL that look like keys (`https://mcp.example/sk-…/sse`, `…/servers/<random>/mcp`). */
function urlPathSpans(url: string): Span[] {
  const path = /^[a-z][\w+.-]*:\/\/[^/?#]*(\/[^?#]*)/i.exec(url);
  if (!path) return [];
  const spans: Span[] = [];
  let offset = url.indexOf(path[1]!, url.indexOf('//') + 2);
  for (const segment of path[1]!.split('/')) {
    if (segment && (looksRandom(segment) || new RegExp(`^${KNOWN_TOKEN.source}$`).test(segment))) spans.push([offset, offset + segment.length, 'path']);
    offset += segment.length + 1;
  }
  return spans;
}

/** Keeps the outermost of overlapping spans, and none that holds a `${…}` reference. */
function usable(value: string, spans: readonly Span[]): Span[] {
  const sorted = [...spans].filter(([s, e]) => !REFERENCE.test(value.slice(s, e))).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const kept: Span[] = [];
  for (const span of sorted) if (!kept.some(k => span[0] < k[1] && span[1] > k[0])) kept.push(span);
  return kept;
}

/**
 * Replaces the credentials in `entry` with `${input:…}` references and returns them. Input ids are
 * `<server>-<label>` (`-2`, `-3`… when `taken`), so a second import of the same entry gives the same ids.
 */
export function extractSecrets(server: string, entry: ServerEntry, taken: (id: string) => boolean): { entry: ServerEntry; secrets: MovedSecret[] } {
  const found = replaceSecrets(server, entry, taken);
  const destination = inputDestination(found.entry);
  return { entry: found.entry, secrets: found.secrets.map(s => ({ ...s, destination })) };
}

function replaceSecrets(server: string, entry: ServerEntry, taken: (id: string) => boolean): { entry: ServerEntry; secrets: Omit<MovedSecret, 'destination'>[] } {
  const secrets: Omit<MovedSecret, 'destination'>[] = [];
  const newId = (label: string) => {
    const base = `${server}-${label}`.replace(/[^\w.-]+/g, '-');
    let id = base;
    for (let n = 2; taken(id) || secrets.some(s => s.inputId === id); n++) id = `${base}-${n}`;
    return id;
  };
  /** Replaces `spans` of `value`; each becomes one input labelled `label` (+ the span's own label when there are several). */
  const replace = (value: string, spans: readonly Span[], label: string, where: string): string => {
    const kept = usable(value, spans);
    let out = '';
    let at = 0;
    for (const [start, end, part] of kept) {
      const whole = part === 'value' || (start === 0 && end === value.length);
      const inputId = newId(whole ? label : `${label}-${part}`);
      secrets.push({ server, where: whole ? where : `${where} (${part})`, inputId, value: value.slice(start, end) });
      out += `${value.slice(at, start)}\${input:${inputId}}`;
      at = end;
    }
    return out + value.slice(at);
  };
  /** A value under a name: all of it when the name looks secret (keeping an auth scheme word), else what it holds. */
  const named = (name: string, value: string, where: string): string => {
    if (!value || (REFERENCE.test(value) && !value.replace(new RegExp(REFERENCE.source, 'g'), '').replace(SCHEME, '').trim())) return value;
    if (looksSecretName(name) || (SCHEME.test(value) && looksRandom(value.replace(SCHEME, '')))) {
      const scheme = SCHEME.exec(value)?.[0].length ?? 0;
      return replace(value, [[scheme, value.length, 'value']], name, where);
    }
    return replace(value, [...(looksRandom(value) ? [[0, value.length, 'value'] as const] : []), ...spansIn(value)], name, where);
  };

  if ('command' in entry) {
    const args = entry.args?.map((arg, i, all) => {
      const inline = /^(--?[\w.-]+=|[A-Za-z_][\w.-]*=)(.*)$/s.exec(arg);
      if (inline) {
        const name = inline[1]!.replace(/^-+|=$/g, '');
        return inline[1]! + named(name, inline[2]!, `argument ${inline[1]!.slice(0, -1)}`);
      }
      const flag = /^--?([\w.-]+)$/.exec(all[i - 1] ?? '');
      if (flag && !arg.startsWith('-') && looksSecretName(flag[1]!)) return named(flag[1]!, arg, `argument ${all[i - 1]}`);
      const spans: Span[] = [...spansIn(arg), ...urlPathSpans(arg), ...(looksRandom(arg) ? [[0, arg.length, 'value'] as const] : [])];
      return replace(arg, spans, `arg${i + 1}`, `argument ${i + 1}`);
    });
    const env = entry.env && Object.fromEntries(Object.entries(entry.env).map(([k, v]) => [k, v === null ? null : named(k, v, `env ${k}`)]));
    return { entry: { ...entry, ...(args ? { args } : {}), ...(env ? { env } : {}) }, secrets };
  }
  const url = replace(entry.url, [...spansIn(entry.url), ...urlPathSpans(entry.url)], 'url', 'URL');
  const headers = entry.headers && Object.fromEntries(Object.entries(entry.headers).map(([k, v]) => [k, named(k, v, `header ${k}`)]));
  // An OAuth client's secret (Cursor's auth.CLIENT_SECRET) is a credential whatever it looks like.
  const oauth = entry.oauth?.clientSecret !== undefined ? { ...entry.oauth, clientSecret: named('clientSecret', entry.oauth.clientSecret, 'OAuth client secret') } : entry.oauth;
  return { entry: { ...entry, url, ...(headers ? { headers } : {}), ...(oauth ? { oauth } : {}) }, secrets };
}

/** What an entry runs or where it connects, in one line, credentials replaced by `${input:…}` (safe to show). */
export function entrySummary(server: string, entry: ServerEntry): string {
  const shown = extractSecrets(server, entry, () => false).entry;
  return 'command' in shown ? [shown.command, ...(shown.args ?? [])].join(' ') : shown.url;
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
