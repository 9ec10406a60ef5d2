import * as vscode from 'vscode';
import type { InputDefinition } from '../config/types';
import { inertBlock, inertLine, safe } from '../common/untrustedText';
import { checkBinding } from '../config/inputBinding';
import * as ui from '../ui/window';

/** A stored value about to go somewhere other than where it was given for. */
export interface MovedInputQuestion {
  readonly input: InputDefinition;
  readonly server: string;
  /** Where the value was given for, and where the server would now send it (see config/inputBinding.ts). */
  readonly boundTo: readonly string[];
  readonly destination: string;
}

/** Asks for an `${input:…}` value; undefined when the user dismisses the question. */
export interface InputDialog {
  askInput(input: InputDefinition, server: string): Promise<string | undefined>;
  /** Send the stored value to the new destination, enter a new value for it, or (undefined) neither. */
  confirmMovedInput(question: MovedInputQuestion): Promise<'send' | 'newValue' | undefined>;
}

export const inputDialog: InputDialog = {
  async askInput(input, server) {
    if (input.type === 'pickString') {
      const picked = await ui.showQuickPick(
        // An option written as { "label", "value" } shows its label, with the value beside it.
        input.options.map(option => {
          const label = input.labels && Object.hasOwn(input.labels, option) ? input.labels[option] : undefined;
          return label !== undefined ? { label: inertLine(label), description: inertLine(option), option } : { label: inertLine(option), option };
        }),
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
  async confirmMovedInput({ input, server, boundTo, destination }) {
    const send = `Send to ${inertLine(destination, 60)}`;
    const answer = await ui.showWarningMessage(
      safe`MCP server '${server}' now sends the stored value of \${input:${input.id}} somewhere else. Send it there?`,
      {
        modal: true,
        detail: inertBlock(`The value was given for:\n${boundTo.map(b => `  ${b}`).join('\n')}\nThe server now sends it to:\n  ${destination}\n\nIf you did not expect this change (a pulled config, an edited setting), choose Cancel: the server does not start.`),
      },
      send,
      'Enter a New Value',
    );
    return answer === send ? 'send' : answer === 'Enter a New Value' ? 'newValue' : undefined;
  },
};

const INDEX_KEY = 'mcpHost.storedInputs';
/** Where each stored value was given for: key → destinations (config/inputBinding.ts). Not secret. */
const BINDINGS_KEY = 'mcpHost.storedInputBindings';

/**
 * Values of `${input:…}` variables. Each is asked once and kept in VS Code's SecretStorage (the OS
 * keychain on desktop), scoped to the config file that declares it, so two repositories with an input of
 * the same id never share a secret. "Clear Stored Inputs" forgets them all.
 */
export class InputStore {
  /** The resolution in progress per stored value (see `resolve`). */
  private readonly resolving = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
    private readonly dialog: () => InputDialog,
  ) {}

  private key(scope: string, id: string): string {
    return `mcpHost.input:${scope}:${id}`;
  }

  /**
   * The value of `input` for a server that sends it to `destination`: the stored one when it was given for
   * that destination (a value stored before bindings existed is bound on its first use), else the user says
   * whether to send it there, or enters a new one.
   */
  async resolve(input: InputDefinition, scope: string, server: string, destination?: string): Promise<string | undefined> {
    const key = this.key(scope, input.id);
    // One question at a time per value: a start from a config change and a restart racing it (or two servers
    // sharing an input) would otherwise both find nothing stored and both ask. The later one sees the answer.
    const previous = this.resolving.get(key) ?? Promise.resolve(undefined);
    const current = previous.catch(() => undefined).then(() => this.resolveNow(key, input, scope, server, destination));
    this.resolving.set(key, current);
    try {
      return await current;
    } finally {
      if (this.resolving.get(key) === current) this.resolving.delete(key);
    }
  }

  private async resolveNow(key: string, input: InputDefinition, scope: string, server: string, destination: string | undefined): Promise<string | undefined> {
    const stored = await this.secrets.get(key);
    if (stored !== undefined) {
      if (destination === undefined) return stored;
      const check = checkBinding(this.bindings()[key], destination);
      if (check.kind === 'bound') return stored;
      if (check.kind === 'unbound') {
        await this.bind(key, [destination]);
        return stored;
      }
      const answer = await this.dialog().confirmMovedInput({ input, server, boundTo: check.boundTo, destination });
      if (answer === undefined) return undefined;
      if (answer === 'send') {
        await this.bind(key, [...check.boundTo, destination]);
        return stored;
      }
    }
    const value = await this.dialog().askInput(input, server);
    if (value === undefined) return undefined;
    await this.store(scope, input.id, value, destination);
    return value;
  }

  /** Keeps a value without asking (secrets moved out of an imported config), bound to `destination` when given. */
  async store(scope: string, id: string, value: string, destination?: string): Promise<void> {
    const key = this.key(scope, id);
    await this.secrets.store(key, value);
    const index = new Set(this.state.get<string[]>(INDEX_KEY, []));
    index.add(key);
    await this.state.update(INDEX_KEY, [...index]);
    await this.bind(key, destination === undefined ? undefined : [destination]);
  }

  private bindings(): Record<string, string[]> {
    return this.state.get<Record<string, string[]>>(BINDINGS_KEY, {});
  }

  private async bind(key: string, destinations: string[] | undefined): Promise<void> {
    const { [key]: _old, ...others } = this.bindings();
    await this.state.update(BINDINGS_KEY, destinations ? { ...others, [key]: destinations } : others);
  }

  /** Forgets every stored input value; returns how many there were. */
  async clear(): Promise<number> {
    const keys = this.state.get<string[]>(INDEX_KEY, []);
    await Promise.all(keys.map(k => this.secrets.delete(k)));
    await this.state.update(INDEX_KEY, undefined);
    await this.state.update(BINDINGS_KEY, undefined);
    return keys.length;
  }
}
