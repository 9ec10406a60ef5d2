/**
 * A stored `${input:…}` value is bound to where it was given for: the host of a remote server (scheme, host
 * and port, as written), or the program line of a local one (command and arguments as written, with input
 * references reduced to `${input}` so a renamed input id does not count as a move). A server whose URL or
 * command moved must not receive the value without the user saying so.
 */
export type InputTarget = { readonly command: string; readonly args?: readonly string[] } | { readonly url: string };

export function inputDestination(target: InputTarget): string {
  if ('url' in target) {
    const origin = /^([a-z][\w+.-]*:\/\/[^/?#]*)/i.exec(target.url.trim())?.[1] ?? target.url.trim();
    // Credentials in the authority are not part of where it goes; host names are not case-sensitive.
    return origin.replace(/\/\/[^/@]*@/, '//').toLowerCase();
  }
  const reduce = (s: string) => s.replace(/\$\{input:[^}]*\}/g, '${input}');
  return [target.command, ...(target.args ?? [])].map(reduce).join(' ');
}

/** The stored value may go to `destination` (`bound`), was never bound (an older store: bind it now), or moved. */
export type BindingCheck = { readonly kind: 'bound' } | { readonly kind: 'unbound' } | { readonly kind: 'moved'; readonly boundTo: readonly string[] };

export function checkBinding(boundTo: readonly string[] | undefined, destination: string): BindingCheck {
  if (!boundTo?.length) return { kind: 'unbound' };
  return boundTo.includes(destination) ? { kind: 'bound' } : { kind: 'moved', boundTo };
}
