import { until } from '../util';

/** The DOM of a frame on screen, reached through the harness's frame driver (test/harness/frameDriver.js). */
export async function frame(selector: string, action: 'text' | 'click' = 'text'): Promise<string | undefined> {
  const driver = process.env.MCP_HOST_TEST_FRAMES;
  if (!driver) throw new Error('MCP_HOST_TEST_FRAMES is not set: run this suite with the integration harness');
  const response = await fetch(`${driver}/frame`, { method: 'POST', body: JSON.stringify({ selector, action, frameUrl: 'about:srcdoc' }) });
  const body = (await response.json()) as { found?: boolean; text?: string | null; error?: string };
  if (body.error) throw new Error(`frame driver: ${body.error}`);
  return body.found ? (body.text ?? '') : undefined;
}

/** Waits until the app's element shows text matching `pattern`. */
export const shows = (selector: string, pattern: RegExp) => until(async () => { const text = await frame(selector); return text !== undefined && pattern.test(text) ? text : undefined; }, `${selector} to show ${pattern}`, 20_000);
