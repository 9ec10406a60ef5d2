import type * as vscode from 'vscode';
import type { EraVerdict, EraVerdictStore } from '../mcp/eraNegotiation';

const KEY = 'mcpHost.protocolEras';
/** Definitions come and go; the oldest verdicts go first beyond this many. */
const MAX_VERDICTS = 200;

/**
 * Protocol-era verdicts in the extension's global state, so the next start of a server (in any window)
 * skips the era probe. One record keyed by definition (see `ServerRegistry`), capped at `MAX_VERDICTS`.
 */
export class MementoEraVerdicts implements EraVerdictStore {
  constructor(private readonly memento: vscode.Memento) {}

  get(key: string): EraVerdict | undefined {
    const verdict = this.all()[key];
    return verdict && (verdict.era === 'modern' || verdict.era === 'legacy') && typeof verdict.version === 'string' && typeof verdict.decidedAt === 'number' ? verdict : undefined;
  }

  set(key: string, verdict: EraVerdict): Thenable<void> {
    const entries = Object.entries({ ...this.all(), [key]: verdict })
      .sort(([, a], [, b]) => b.decidedAt - a.decidedAt)
      .slice(0, MAX_VERDICTS);
    return this.memento.update(KEY, Object.fromEntries(entries));
  }

  delete(key: string): Thenable<void> {
    const { [key]: _gone, ...rest } = this.all();
    return this.memento.update(KEY, rest);
  }

  private all(): Record<string, EraVerdict> {
    const stored = this.memento.get<unknown>(KEY);
    return typeof stored === 'object' && stored !== null ? (stored as Record<string, EraVerdict>) : {};
  }
}
