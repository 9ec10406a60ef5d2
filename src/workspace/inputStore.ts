import * as vscode from 'vscode';
import type { InputDefinition } from '../config/types';
import { inertLine, safe } from '../common/untrustedText';
import * as ui from '../ui/window';

/** Asks for an `${input:…}` value; undefined when the user dismisses the question. */
export interface InputDialog {
  askInput(input: InputDefinition, server: string): Promise<string | undefined>;
}

export const inputDialog: InputDialog = {
  async askInput(input, server) {
    if (input.type === 'pickString') {
      const picked = await ui.showQuickPick(
        input.options.map(option => ({ label: inertLine(option), option })),
        { title: safe`MCP server '${server}'`, placeHolder: inertLine(input.description), ignoreFocusOut: true },
      );
      return picked?.option;
    }
    return ui.showInputBox({
      title: safe`MCP server '${server}'`,
      prompt: inertLine(input.description),
      password: input.password,
      ...(input.default !== undefined ? { value: input.default } : {}),
      ignoreFocusOut: true,
    });
  },
};

const INDEX_KEY = 'mcpHost.storedInputs';

/**
 * Values of `${input:…}` variables. Each is asked once and kept in VS Code's SecretStorage (the OS
 * keychain on desktop), scoped to the config file that declares it, so two repositories with an input of
 * the same id never share a secret. "Clear Stored Inputs" forgets them all.
 */
export class InputStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
    private readonly dialog: () => InputDialog,
  ) {}

  private key(scope: string, id: string): string {
    return `mcpHost.input:${scope}:${id}`;
  }

  async resolve(input: InputDefinition, scope: string, server: string): Promise<string | undefined> {
    const key = this.key(scope, input.id);
    const stored = await this.secrets.get(key);
    if (stored !== undefined) return stored;
    const value = await this.dialog().askInput(input, server);
    if (value === undefined) return undefined;
    await this.store(scope, input.id, value);
    return value;
  }

  /** Keeps a value without asking (secrets moved out of an imported config). */
  async store(scope: string, id: string, value: string): Promise<void> {
    const key = this.key(scope, id);
    await this.secrets.store(key, value);
    const index = new Set(this.state.get<string[]>(INDEX_KEY, []));
    index.add(key);
    await this.state.update(INDEX_KEY, [...index]);
  }

  /** Forgets every stored input value; returns how many there were. */
  async clear(): Promise<number> {
    const keys = this.state.get<string[]>(INDEX_KEY, []);
    await Promise.all(keys.map(k => this.secrets.delete(k)));
    await this.state.update(INDEX_KEY, undefined);
    return keys.length;
  }
}
