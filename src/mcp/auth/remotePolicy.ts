/** What the host allows of a remote server before connecting, and when it may offer a sign-in. No `vscode` here. */

/** A refusal the user can act on: a message and a next step. */
export class RemoteRefusedError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'RemoteRefusedError';
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Plain `http://` carries tokens and tool data readable and changeable by anyone on the path, so it is
 * refused unless the host is loopback or the user allowed it (a user setting, never a workspace one).
 */
export function checkTransportSecurity(url: string, allowedPlainHttpHosts: readonly string[]): void {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol !== 'http:') throw new RemoteRefusedError(`The URL ${url} is not http or https.`, 'Remote servers are reached over https (or http on this machine).');
  if (isLoopbackHost(parsed.hostname)) return;
  const host = parsed.hostname.toLowerCase();
  if (allowedPlainHttpHosts.some(h => h.trim().toLowerCase() === host)) return;
  throw new RemoteRefusedError(
    `Refused to connect to ${parsed.host} over plain http: anyone on the network could read or change what is sent, sign-in tokens included.`,
    `Use https, or, if you trust the network to ${host}, add "${host}" to the user setting mcpHost.remote.allowPlainHttpHosts.`,
  );
}

const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|api[-_]?key|token|secret|auth/i;

/**
 * Whether the definition brings its own credentials in `headers` (an API key, a bearer token): such a server
 * never triggers sign-in or client registration; a 401 is reported as a refused key instead.
 */
export function hasStaticCredentials(headers: Readonly<Record<string, string>>): boolean {
  return Object.keys(headers).some(name => CREDENTIAL_HEADER.test(name));
}
