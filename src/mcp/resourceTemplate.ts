import { UriTemplate } from '@modelcontextprotocol/client';

/** The variables of an RFC 6570 URI template, in order of first appearance, each once. */
export function templateVariables(template: string): string[] {
  return [...new Set(new UriTemplate(template).variableNames)];
}

/** The URI a template gives for these values (each value percent-encoded as its operator requires). */
export function expandTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return new UriTemplate(template).expand({ ...values });
}
