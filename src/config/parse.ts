import {
  getNodePath,
  getNodeValue,
  parseTree,
  printParseErrorCode,
  type JSONPath,
  type Node,
  type ParseError,
} from 'jsonc-parser';
import { LineMap } from './positions';
import { validateAgainst, type SchemaDefinition, type SchemaErrors } from './schema';
import {
  DEFAULT_TIMEOUTS,
  type ConfigFormat,
  type ConfigOrigin,
  type ConfigProblem,
  type InputDefinition,
  type ParsedSource,
  type ProblemSeverity,
  type RemoteServerEntry,
  type ServerDefinition,
  type ServerTimeouts,
  type SourceRange,
  type StdioServerEntry,
  type TimeoutSetting,
} from './types';
import { inputReferences, nestedVariable, translateClaudeVariables } from './variables';
import { hasHiddenCharacters, revealHidden } from '../common/untrustedText';

const SERVERS_KEY: Record<ConfigFormat, string> = { vscode: 'servers', claude: 'mcpServers' };
const TOP_LEVEL_KEYS: Record<ConfigFormat, readonly string[]> = {
  vscode: ['$schema', 'servers', 'inputs'],
  claude: ['$schema', 'mcpServers'],
};
/** `streamable-http` and `streamableHttp` (Cline's) are other hosts' names for `http`. */
const REMOTE_TYPES: readonly unknown[] = ['http', 'sse', 'streamable-http', 'streamableHttp'];

/**
 * Parses a config file (JSONC: comments and trailing commas allowed). Each server entry and each input is
 * validated on its own, so one broken entry never hides the others; every problem carries the exact range
 * of the node it is about. Entries that a syntax error runs through are left out (the syntax error says why).
 */
export function parseConfigText(text: string, origin: ConfigOrigin, format: ConfigFormat): ParsedSource {
  const syntaxErrors: ParseError[] = [];
  const { readable, tooDeep } = withoutDeepValues(text);
  const root = parseTree(readable, syntaxErrors, { allowTrailingComma: true, allowEmptyContent: true });
  return new SourceParser(origin, format, { text, lines: new LineMap(text) }, syntaxErrors, tooDeep).parse(root);
}

/** Parses a config value that has no text, such as the `mcpHost.servers` setting; problems have no ranges. */
export function parseConfigValue(value: unknown, origin: ConfigOrigin, format: ConfigFormat): ParsedSource {
  if (value === undefined || value === null) return { origin, servers: [], inputs: [], problems: [] };
  const { readable, tooDeep } = withoutDeepValues(jsonText(value, 0));
  return new SourceParser(origin, format, undefined, [], tooDeep).parse(parseTree(readable));
}

/**
 * `JSON.stringify` of a settings value, except that an object or array opening deeper than `MAX_NESTING` is written
 * `[]` (where `withoutDeepValues` finds it): `JSON.stringify` recurses without a bound and overflows the stack.
 */
function jsonText(value: unknown, depth: number): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (depth >= MAX_NESTING) return '[]';
  if (Array.isArray(value)) return `[${value.map(v => jsonText(v, depth + 1)).join(',')}]`;
  const members = Object.entries(value).flatMap(([k, v]) => (v === undefined || typeof v === 'function' ? [] : [`${JSON.stringify(k)}:${jsonText(v, depth + 1)}`]));
  return `{${members.join(',')}}`;
}

/**
 * How deep objects and arrays may nest. Real configs nest 5 or 6 levels; parsing (and every walk over the tree
 * after it) recurses per level, so a file nested thousands deep would overflow the stack and lose every source.
 */
export const MAX_NESTING = 100;

/** A run of a string's characters up to a quote, a backslash or a line break (sticky: matched at `lastIndex`). */
const PLAIN_RUN = /[^"\\\r\n]*/y;

/**
 * `text` with every object or array that starts deeper than `MAX_NESTING` replaced by `0` and spaces (offsets kept,
 * so every other range stays true), and where those values were. Strings and comments are skipped as JSONC has them.
 */
export function withoutDeepValues(text: string): { readable: string; tooDeep: Span[] } {
  const tooDeep: Span[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      // To the closing quote, or the line's end as jsonc-parser ends an unterminated string (an escape takes the next
      // character, a line break too); plain runs by a regex, not a loop per character.
      for (i++; i < text.length; i++) {
        PLAIN_RUN.lastIndex = i;
        PLAIN_RUN.exec(text);
        i = PLAIN_RUN.lastIndex;
        if (text.charCodeAt(i) !== 92 /* backslash */) break;
        i++;
      }
    } else if (ch === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
    } else if (ch === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (++depth === MAX_NESTING + 1) start = i;
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) {
      if (depth === MAX_NESTING + 1) tooDeep.push({ offset: start, length: i + 1 - start });
      if (depth > 0) depth--;
    }
  }
  if (depth > MAX_NESTING) tooDeep.push({ offset: start, length: text.length - start });
  if (!tooDeep.length) return { readable: text, tooDeep };
  let readable = '';
  let from = 0;
  for (const span of tooDeep) {
    readable += text.slice(from, span.offset) + '0' + text.slice(span.offset + 1, span.offset + span.length).replace(/[^\r\n]/g, ' ');
    from = span.offset + span.length;
  }
  return { readable: readable + text.slice(from), tooDeep };
}

/**
 * `source` with the last definition read (`previous`, the same file's last parse) standing in for each entry a syntax
 * error now runs through: saving a file mid-edit (a missing comma) leaves its running servers as they were instead of
 * stopping them, and says so at the entry. An entry no longer written, or a first read, has nothing to keep.
 */
export function keepLastRead(source: ParsedSource, previous: ParsedSource | undefined): ParsedSource {
  if (!source.unreadable?.length || !previous) return source;
  const key = source.origin.kind === 'workspaceClaude' ? SERVERS_KEY.claude : SERVERS_KEY.vscode;
  const kept: ServerDefinition[] = [];
  const problems: ConfigProblem[] = [];
  for (const { name, range } of source.unreadable) {
    const last = previous.servers.find(s => s.name === name);
    if (!last || source.servers.some(s => s.name === name) || kept.includes(last)) continue;
    kept.push(last);
    problems.push({
      severity: 'warning',
      message: `${formatJsonPath([key, name])}: a syntax error runs through this entry, so it keeps its definition as last read until the file is fixed`,
      ...(source.origin.file !== undefined ? { file: source.origin.file } : {}),
      ...(range ? { range } : {}),
      server: name,
    });
  }
  return { ...source, servers: [...source.servers, ...kept], problems: [...source.problems, ...problems] };
}

/** A human path such as `servers.db.args[1]` or `servers["my server"].env`. */
export function formatJsonPath(path: JSONPath): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (/^[\w$-]+$/.test(segment)) return i === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

interface Span {
  readonly offset: number;
  readonly length: number;
}

class SourceParser {
  private readonly problems: ConfigProblem[] = [];
  private readonly unreadable: Array<{ name: string; range?: SourceRange }> = [];
  private readonly serversKey: string;

  constructor(
    private readonly origin: ConfigOrigin,
    private readonly format: ConfigFormat,
    /** Absent for values without text: then nothing gets a range. */
    private readonly source: { readonly text: string; readonly lines: LineMap } | undefined,
    private readonly syntaxErrors: readonly ParseError[],
    /** Values nested deeper than `MAX_NESTING`, not parsed: the entry holding one is left out, as for a syntax error. */
    private readonly tooDeep: readonly Span[] = [],
  ) {
    this.serversKey = SERVERS_KEY[format];
  }

  parse(root: Node | undefined): ParsedSource {
    // A file cut short ends several objects at once, each with the same error at the same place: said once.
    const said = new Set<string>();
    for (const e of this.syntaxErrors) {
      const key = `${e.error}@${e.offset}`;
      if (!said.has(key)) this.report('error', syntaxErrorMessage(e), e);
      said.add(key);
    }
    for (const span of this.tooDeep) {
      this.report('error', `Nested more than ${MAX_NESTING} levels deep: MCP Host does not read this value, and leaves out the entry that holds it`, { offset: span.offset, length: 1 });
    }
    let servers: ServerDefinition[] = [];
    let inputs: InputDefinition[] = [];
    if (root?.type === 'object') {
      this.checkTopLevelKeys(root);
      const serversNode = findNodeAtLocation(root, [this.serversKey]);
      this.checkDuplicateKeys(root, serversNode);
      inputs = this.format === 'vscode' ? this.parseInputs(findNodeAtLocation(root, ['inputs'])) : [];
      servers = this.parseServers(serversNode, new Set(inputs.map(i => i.id)));
    } else if (root) {
      this.report('error', `The configuration must be an object with a "${this.serversKey}" property`, root);
    }
    return { origin: this.origin, servers, inputs, problems: this.problems, ...(this.unreadable.length ? { unreadable: this.unreadable } : {}) };
  }

  /**
   * JSON keeps the last of two equal keys in an object (VS Code does too): each earlier one is said to be ignored,
   * at its key. The servers object says so itself, per server (`parseServers`).
   */
  private checkDuplicateKeys(root: Node, serversNode: Node | undefined): void {
    const visit = (node: Node): void => {
      if (node.type === 'object' && node !== serversNode) {
        const properties = node.children ?? [];
        const lastIndex = new Map(properties.map((p, i) => [p.children?.[0]?.value as string, i]));
        properties.forEach((property, i) => {
          const keyNode = property.children?.[0];
          if (!keyNode || lastIndex.get(keyNode.value as string) === i || this.overlapsSyntaxError(property)) return;
          const path = getNodePath(keyNode);
          const server = path[0] === this.serversKey && typeof path[1] === 'string' ? path[1] : undefined;
          this.report('warning', `${formatJsonPath(path)}: written again below in the same object; this one is ignored`, keyNode, server);
        });
      }
      for (const child of node.children ?? []) visit(child);
    };
    visit(root);
  }

  private checkTopLevelKeys(root: Node): void {
    const otherKey = SERVERS_KEY[this.format === 'vscode' ? 'claude' : 'vscode'];
    for (const property of root.children ?? []) {
      const keyNode = property.children?.[0];
      const key = keyNode?.value as string;
      if (!keyNode || TOP_LEVEL_KEYS[this.format].includes(key)) continue;
      if (key === 'sandbox' && this.format === 'vscode') {
        // VS Code 1.139's own key: its sandbox rules for servers with "sandboxEnabled".
        this.report('warning', '"sandbox" is VS Code\'s sandbox for servers with "sandboxEnabled": MCP Host does not sandbox servers and ignores it', keyNode);
        continue;
      }
      const hint = key === otherKey ? `; this file lists servers under "${this.serversKey}"` : '';
      this.report('warning', `Unknown property "${key}" is ignored${hint}`, keyNode);
    }
  }

  private parseServers(node: Node | undefined, declaredInputs: ReadonlySet<string>): ServerDefinition[] {
    if (!node) return [];
    if (node.type !== 'object') {
      this.report('error', `${this.serversKey}: must be an object mapping server names to servers`, node);
      return [];
    }
    const properties = node.children ?? [];
    // JSON keeps the last of two equal keys; say so instead of silently losing one.
    const lastIndex = new Map(properties.map((p, i) => [p.children?.[0]?.value as string, i]));
    const servers: ServerDefinition[] = [];
    properties.forEach((property, i) => {
      const [nameNode, valueNode] = property.children ?? [];
      const name = nameNode?.value as string;
      if (nameNode && typeof name === 'string' && name && this.syntaxErrors.some(e => e.offset >= property.offset && e.offset <= property.offset + property.length)) {
        this.unreadable.push({ name, ...(this.source ? { range: this.source.lines.range(nameNode.offset, nameNode.length) } : {}) });
      }
      if (!nameNode || !valueNode || this.overlapsSyntaxError(property)) return;
      if (name === '') {
        this.report('error', `${this.serversKey}: a server name must not be empty`, nameNode);
      } else if (hasHiddenCharacters(name)) {
        // A name that hides or reverses text could pass for another server in every list and dialog.
        const message = `${this.serversKey}: the server name "${revealHidden(name)}" contains invisible, control or bidi characters (shown as ⟨U+…⟩); rename it`;
        this.report('error', message, nameNode, name);
      } else if (lastIndex.get(name) !== i) {
        const message = `${formatJsonPath([this.serversKey, name])}: defined again below in this file; this definition is ignored`;
        this.report('warning', message, nameNode, name);
      } else {
        const server = this.parseServer(name, valueNode, declaredInputs);
        if (server) servers.push(server);
      }
    });
    return servers;
  }

  private parseServer(name: string, node: Node, declaredInputs: ReadonlySet<string>): ServerDefinition | undefined {
    const path = formatJsonPath([this.serversKey, name]);
    const written: unknown = getNodeValue(node);
    if (!isObject(written)) {
      this.report('error', `${path}: must be an object`, node, name);
      return undefined;
    }
    let remote: boolean;
    if (written.type === undefined) {
      remote = 'url' in written && !('command' in written);
    } else if (written.type === 'stdio' || REMOTE_TYPES.includes(written.type)) {
      remote = written.type !== 'stdio';
    } else {
      const message = `${path}.type: must be one of "stdio", "http", "sse"`;
      this.report('error', message, findNodeAtLocation(node, ['type']) ?? node, name);
      return undefined;
    }

    if (!remote && written.type === undefined && !('command' in written)) {
      this.report('error', `${path}: needs "command" (a local server) or "url" (a remote server)`, keyNodeOf(node), name);
      return undefined;
    }
    let errors = validateAgainst(remote ? 'remoteServer' : 'stdioServer', written);
    if (!remote && 'url' in written && 'command' in written) {
      const message = `${path}: has both "command" and "url"; it runs as a local (stdio) server and "url" is ignored`;
      this.report('warning', message, keyNodeOf(findNodeAtLocation(node, ['url'])!), name);
      errors = errors.filter(e => !(e.keyword === 'additionalProperties' && e.params.additionalProperty === 'url' && e.instancePath === ''));
    }
    if (!this.reportSchemaErrors(errors, node, name)) return undefined;
    if (!this.checkNestedVariables(node, name)) return undefined;
    if (!this.checkVscodeOnlyKeys(written, node, path, name)) return undefined;

    const value = this.format === 'claude' ? this.translateVariables(written) : written;
    this.checkInputReferences(node, declaredInputs, name);
    return remote ? this.remoteDefinition(name, node, value as RemoteServerEntry) : this.stdioDefinition(name, node, value as StdioServerEntry);
  }

  private stdioDefinition(name: string, node: Node, entry: StdioServerEntry): ServerDefinition {
    return {
      ...this.common(name, node, entry),
      type: 'stdio',
      command: entry.command,
      args: entry.args ?? [],
      // Copied: jsonc-parser builds objects without a prototype.
      env: { ...entry.env },
      ...(entry.envFile !== undefined ? { envFile: entry.envFile } : {}),
      ...(entry.cwd !== undefined ? { cwd: entry.cwd } : {}),
    };
  }

  private remoteDefinition(name: string, node: Node, entry: RemoteServerEntry): ServerDefinition {
    return {
      ...this.common(name, node, entry),
      type: entry.type === 'sse' ? 'sse' : 'http',
      url: entry.url,
      headers: { ...entry.headers },
      ...(entry.oauth ? { oauth: { clientId: entry.oauth.clientId, ...(entry.oauth.clientSecret !== undefined ? { clientSecret: entry.oauth.clientSecret } : {}), ...(entry.oauth.scopes ? { scopes: [...entry.oauth.scopes] } : {}) } } : {}),
    };
  }

  private common(name: string, node: Node, entry: StdioServerEntry | RemoteServerEntry) {
    return {
      name,
      origin: this.origin,
      ...(this.source ? { range: this.source.lines.range(node.offset, node.length) } : {}),
      disabled: entry.disabled ?? false,
      timeouts: toTimeouts(entry.timeout),
      disabledTools: entry.disabledTools ?? [],
      ...(entry.protocol !== undefined && entry.protocol !== 'auto' ? { protocol: entry.protocol } : {}),
    };
  }

  /**
   * Claude Code reads `${VAR}` and `${VAR:-default}` from the environment; rewrite them as `${env:VAR}` and
   * `${env:VAR:-default}` so launch resolves them the same way (the default, as written, is part of the definition).
   */
  private translateVariables(written: Record<string, unknown>): unknown {
    return mapStrings(written, s => translateClaudeVariables(s).value);
  }

  /**
   * Keys of VS Code's own MCP support (1.139) that MCP Host does not support, said as what happens instead.
   * `"sandboxEnabled": true` asks for a sandbox MCP Host cannot give: the server is not started rather than run with
   * the user's full rights (false: nothing to say). `dev` (restart on file changes, debugger): the server runs as usual.
   */
  private checkVscodeOnlyKeys(written: Record<string, unknown>, node: Node, path: string, server: string): boolean {
    const keyAt = (key: string) => keyNodeOf(findNodeAtLocation(node, [key]) ?? node);
    if (written.dev !== undefined) {
      this.report('warning', `${path}.dev: VS Code's development mode (restart on file changes, a debugger) is not supported by MCP Host; the server runs as usual (use Restart after a change)`, keyAt('dev'), server);
    }
    if (written.sandboxEnabled === true) {
      const message = `${path}.sandboxEnabled: MCP Host cannot run a server in a sandbox (VS Code's own MCP support can), so it does not start this one rather than run it with your full rights; remove "sandboxEnabled" to run it without a sandbox`;
      this.report('error', message, keyAt('sandboxEnabled'), server);
      return false;
    }
    return true;
  }

  /**
   * A variable inside another (`${A:-${B}}`, `${env:${input:x}}`) cannot be resolved at launch (`resolveDefinition`);
   * said here, at its place in the file, as an error of the entry (it could never start), not first at its start.
   */
  private checkNestedVariables(node: Node, server: string): boolean {
    let ok = true;
    for (const stringNode of valueStrings(node)) {
      const nodePath = getNodePath(stringNode);
      // Only the fields launch expands (`mapStrings` in variables.ts).
      if (!EXPANDED_FIELDS.has(String(nodePath[2]))) continue;
      const nested = nestedVariable(stringNode.value as string);
      if (nested === undefined) continue;
      ok = false;
      const hint = this.format === 'claude' ? 'write the default as plain text, as in ${NAME:-text}' : 'write the inner value as plain text';
      // The value is not repeated: a default may hold a credential, and the range marks it in the editor.
      this.report('error', `${formatJsonPath(nodePath)}: a variable inside another variable is not supported, so the server cannot start; ${hint}`, this.exactSpan(stringNode, nested), server);
    }
    return ok;
  }

  private checkInputReferences(node: Node, declared: ReadonlySet<string>, server: string): void {
    for (const stringNode of valueStrings(node)) {
      for (const id of inputReferences(stringNode.value as string)) {
        if (declared.has(id)) continue;
        const where = this.format === 'claude' ? ' (this format has no "inputs")' : ' in "inputs"';
        const message = `${formatJsonPath(getNodePath(stringNode))}: input "${id}" is not declared${where}`;
        this.report('warning', message, this.exactSpan(stringNode, `\${input:${id}}`), server);
      }
    }
  }

  /** The span of `token` inside a string node, when the token is written without escapes; else the whole string. */
  private exactSpan(stringNode: Node, token: string): Span {
    const raw = this.source?.text.slice(stringNode.offset, stringNode.offset + stringNode.length) ?? '';
    const at = raw.indexOf(token);
    return at < 0 ? stringNode : { offset: stringNode.offset + at, length: token.length };
  }

  private parseInputs(node: Node | undefined): InputDefinition[] {
    if (!node) return [];
    if (node.type !== 'array') {
      this.report('error', 'inputs: must be an array', node);
      return [];
    }
    const inputs: InputDefinition[] = [];
    for (const item of node.children ?? []) {
      if (this.overlapsSyntaxError(item)) continue;
      const input = this.parseInput(item);
      if (!input) continue;
      if (inputs.some(i => i.id === input.id)) {
        const message = `${formatJsonPath(getNodePath(item))}.id: duplicate input id "${input.id}"; this input is ignored`;
        this.report('warning', message, findNodeAtLocation(item, ['id'])!);
      } else {
        inputs.push(input);
      }
    }
    return inputs;
  }

  private parseInput(node: Node): InputDefinition | undefined {
    const written: unknown = getNodeValue(node);
    const path = formatJsonPath(getNodePath(node));
    if (!isObject(written)) {
      this.report('error', `${path}: must be an object`, node);
      return undefined;
    }
    const definition: SchemaDefinition | undefined =
      written.type === 'promptString' ? 'promptStringInput' : written.type === 'pickString' ? 'pickStringInput' : undefined;
    if (!definition) {
      // VS Code's "command" inputs run a VS Code command for the value: MCP Host does not run commands a config file names.
      const message =
        written.type === 'command'
          ? `${path}.type: "command" inputs (a VS Code command gives the value) are not supported by MCP Host, which does not run commands a config file names; use "promptString" or "pickString"`
          : `${path}.type: must be "promptString" or "pickString"`;
      this.report('error', message, findNodeAtLocation(node, ['type']) ?? node);
      return undefined;
    }
    if (!this.reportSchemaErrors(validateAgainst(definition, written), node, undefined)) return undefined;
    const base = {
      id: written.id as string,
      description: written.description as string,
      ...(written.default !== undefined ? { default: written.default as string } : {}),
    };
    return definition === 'promptStringInput'
      ? { type: 'promptString', ...base, password: (written.password as boolean | undefined) ?? false }
      : pickString(base, written.options as ReadonlyArray<string | { label?: string; value: string }>);
  }

  /** Reports each schema error at the node it is about; returns false if any is an error (not a warning). */
  private reportSchemaErrors(errors: SchemaErrors, node: Node, server: string | undefined): boolean {
    let valid = true;
    for (const error of errors) {
      const target = nodeAtPointer(node, error.instancePath);
      const path = formatJsonPath(getNodePath(target));
      if (error.keyword === 'additionalProperties') {
        // An unknown property does not stop the entry from working, so it is only a warning.
        const property = String(error.params.additionalProperty);
        const keyNode = keyNodeOf(findNodeAtLocation(target, [property]) ?? target);
        this.report('warning', `${path}: unknown property "${property}" is ignored`, keyNode, server);
      } else if (error.keyword === 'required') {
        this.report('error', `${path}: missing required property "${String(error.params.missingProperty)}"`, keyNodeOf(target), server);
        valid = false;
      } else {
        this.report('error', `${path}: ${describeSchemaError(error)}`, target, server);
        valid = false;
      }
    }
    return valid;
  }

  private overlapsSyntaxError(node: Node): boolean {
    const inside = (e: Span) => e.offset >= node.offset && e.offset <= node.offset + node.length;
    return this.syntaxErrors.some(inside) || this.tooDeep.some(inside);
  }

  private report(severity: ProblemSeverity, message: string, at: Span, server?: string): void {
    this.problems.push({
      severity,
      message,
      ...(this.origin.file !== undefined ? { file: this.origin.file } : {}),
      ...(this.source ? { range: this.source.lines.range(at.offset, at.length) } : {}),
      ...(server !== undefined ? { server } : {}),
    });
  }
}

function toTimeouts(timeout: TimeoutSetting | undefined): ServerTimeouts {
  if (typeof timeout === 'number') return { startupMs: timeout, requestMs: timeout };
  return {
    startupMs: timeout?.startup ?? DEFAULT_TIMEOUTS.startupMs,
    requestMs: timeout?.request ?? DEFAULT_TIMEOUTS.requestMs,
    ...(timeout?.total !== undefined ? { totalMs: timeout.total } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `jsonc-parser`'s `findNodeAtLocation`, except that of two equal keys the last counts, as in the value JSON gives
 * (`getNodeValue`, VS Code's own reading); jsonc-parser's takes the first.
 */
function findNodeAtLocation(root: Node, path: JSONPath): Node | undefined {
  let node: Node | undefined = root;
  for (const segment of path) {
    if (typeof segment === 'number') {
      node = node.type === 'array' ? node.children?.[segment] : undefined;
    } else {
      const property: Node | undefined = node.type === 'object' ? node.children?.findLast(p => p.children?.[0]?.value === segment) : undefined;
      node = property?.children?.[1];
    }
    if (!node) return undefined;
  }
  return node;
}

/** The node an ajv `instancePath` (a JSON pointer) points at, or the deepest one that exists. */
function nodeAtPointer(root: Node, pointer: string): Node {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const child = node.type === 'array' ? node.children?.[Number(segment)] : findNodeAtLocation(node, [segment]);
    if (!child) break;
    node = child;
  }
  return node;
}

/** The key of the property whose value is `node` (the server name for an entry), or `node` itself in an array. */
function keyNodeOf(node: Node): Node {
  return node.parent?.type === 'property' ? node.parent.children![0]! : node;
}

/** A pickString input; options written as `{ "label", "value" }` (VS Code's form) give their value, and their label to show. */
function pickString(base: { id: string; description: string; default?: string }, written: ReadonlyArray<string | { label?: string; value: string }>): InputDefinition {
  // No prototype: an option named "constructor" or "__proto__" is a value like any other.
  const labels = Object.create(null) as Record<string, string>;
  const options = written.map(o => {
    if (typeof o === 'string') return o;
    if (o.label !== undefined) labels[o.value] = o.label;
    return o.value;
  });
  return { type: 'pickString', ...base, options, ...(Object.keys(labels).length ? { labels } : {}) };
}

/** The fields of a server entry whose strings launch expands (`mapStrings` in variables.ts). */
const EXPANDED_FIELDS: ReadonlySet<string> = new Set(['command', 'args', 'env', 'envFile', 'cwd', 'url', 'headers', 'oauth']);

/** String nodes under `node` that are values, not property names. */
function valueStrings(node: Node): Node[] {
  if (node.type === 'string') return [node];
  if (node.type === 'property') return node.children?.[1] ? valueStrings(node.children[1]) : [];
  return (node.children ?? []).flatMap(valueStrings);
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map(v => mapStrings(v, fn));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

/** "Syntax error: close brace expected", from jsonc-parser's `CloseBraceExpected`. */
export function syntaxErrorMessage(error: ParseError): string {
  return `Syntax error: ${printParseErrorCode(error.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function describeSchemaError(error: SchemaErrors[number]): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const types = ([] as unknown[]).concat(params.type).map(t => TYPE_NAMES[String(t)] ?? String(t));
      return `must be ${types.join(' or ')}`;
    }
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`;
    case 'minItems':
      return `must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
    case 'exclusiveMinimum':
      return `must be greater than ${String(params.limit)}`;
    case 'uniqueItems':
      return `lists the same item twice (items ${String(params.j)} and ${String(params.i)})`;
    case 'pattern': {
      const explained = (error.parentSchema as { patternErrorMessage?: unknown } | undefined)?.patternErrorMessage;
      return typeof explained === 'string' ? explained : `must match ${String(params.pattern)}`;
    }
    default:
      return error.message ?? 'is not valid';
  }
}
