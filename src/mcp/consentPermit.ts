/** What a permit is bound to: one connection object (identity, not name, decides). */
export interface PermitHolder {
  readonly name: string;
}

let mint: ((holder: PermitHolder, tool: string) => ConsentPermit) | undefined;
let claimed = false;

/**
 * Proof that the consent gate let one tool call through. `ServerConnection.callTool` requires one and
 * redeems it before anything is sent. A permit is bound to the connection object and the tool it was
 * minted for, and is good for one call. Its constructor is private; the one function that makes permits is
 * handed out once per process (`claimPermitMinter`), and the consent gate claims it when its module loads,
 * so the protocol layer never imports consent code and no other module can mint.
 */
export class ConsentPermit {
  #spent = false;

  private constructor(
    private readonly holder: PermitHolder,
    readonly tool: string,
  ) {}

  static {
    mint = (holder, tool) => new ConsentPermit(holder, tool);
  }

  /** The server the permit was given for (for messages). */
  get server(): string {
    return this.holder.name;
  }

  /** Uses the permit up; throws if it was given for another connection or tool, or was used before. */
  redeem(holder: PermitHolder, tool: string): void {
    if (this.#spent) throw new Error(`The consent for '${this.tool}' on '${this.server}' was already used.`);
    if (holder !== this.holder) {
      const other = holder.name === this.server ? `another connection of '${holder.name}'` : `'${holder.name}'`;
      throw new Error(`Consent was given for '${this.tool}' on '${this.server}', not for '${tool}' on ${other}.`);
    }
    if (tool !== this.tool) throw new Error(`Consent was given for '${this.tool}' on '${this.server}', not for '${tool}' on '${holder.name}'.`);
    this.#spent = true;
  }
}

/**
 * The permit minter, to the first caller only: the consent gate, when its module loads. Any later claim
 * (another module trying to call tools without consent) throws.
 */
export function claimPermitMinter(): (holder: PermitHolder, tool: string) => ConsentPermit {
  if (claimed || !mint) throw new Error('Consent permits are minted by the consent gate only; the minter was already claimed.');
  claimed = true;
  return mint;
}
