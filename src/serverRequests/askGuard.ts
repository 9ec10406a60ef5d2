import type { AskingServer } from '../mcp/clientRequests';

/**
 * A server's questions to the user (sampling, elicitation) open modal dialogs. A server that asks again the
 * moment the user says no kept one on screen for good: the user could not reach Stop, or anything else in
 * the editor. After `ASK_AGAIN_LIMIT` questions in a row that the server asked on its own (the user made it
 * no tool call or prompt get since the last no; reads and its app's calls, which it can cause itself, do not count) within `QUIET_MS` of that no, its
 * questions are refused without asking until it has gone `QUIET_MS` without asking, or the user does
 * something that may lead to a question. A yes ends the run. No `vscode` here.
 */
export const QUIET_MS = 5_000;
export const ASK_AGAIN_LIMIT = 3;

interface Run {
  /** When the user last said no, or a question was last refused. */
  lastNo: number;
  /** The server's `requestsSent` then. */
  requests: number;
  /** Questions the server asked again on its own, in a row. */
  again: number;
}

export class AskGuard {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Why the server's question is refused without asking; undefined when it may be asked. */
  refusal(server: string, requestsSent: number): string | undefined {
    const run = this.runs.get(server);
    if (!run) return undefined;
    const now = this.now();
    if (now - run.lastNo > QUIET_MS || requestsSent !== run.requests) {
      this.runs.delete(server);
      return undefined;
    }
    if (++run.again < ASK_AGAIN_LIMIT) return undefined;
    run.lastNo = now;
    return `it asked again on its own right after the user said no, ${run.again} times in a row; MCP Host asks again once the server has gone ${QUIET_MS / 1000} s without asking, or after your next request to it`;
  }

  /** The user answered one of the server's questions: yes, or no (declined or dismissed). */
  answered(server: string, yes: boolean, requestsSent: number): void {
    if (yes) {
      this.runs.delete(server);
      return;
    }
    const run = this.runs.get(server);
    if (run) {
      run.lastNo = this.now();
      run.requests = requestsSent;
    } else this.runs.set(server, { lastNo: this.now(), requests: requestsSent, again: 0 });
  }
}

/**
 * One kind of question (elicitation's, or sampling's) from each server: one at a time, and not again and again
 * right after a no (`AskGuard`). A question refused for either is logged to the server's log and thrown as the
 * handler's error, made by `refuse` (`again`: refused by the guard, not for the one waiting).
 */
export class ServerQuestions {
  private readonly waiting = new Set<string>();

  constructor(
    /** "Elicitation" or "Sampling", as the log lines and errors name the question. */
    private readonly what: string,
    private readonly guard: AskGuard,
    private readonly refuse: (message: string, again: boolean) => Error,
  ) {}

  /** Asks the user (`dialog`, run as the user's time: `userAnswering`) unless refused; `yes` says whether the answer ends a run of noes. */
  async ask<T>(server: Pick<AskingServer, 'name' | 'log' | 'requestsSent' | 'userAnswering'>, dialog: () => Promise<T>, yes: (answer: T) => boolean): Promise<T> {
    if (this.waiting.has(server.name)) {
      server.log(`${this.what} refused: an earlier request from this server is still waiting for the user.`);
      throw this.refuse(`Another ${this.what.toLowerCase()} request from this server is waiting for the user; send one at a time.`, false);
    }
    const refusal = this.guard.refusal(server.name, server.requestsSent());
    if (refusal) {
      server.log(`${this.what} refused without asking: ${refusal}.`);
      throw this.refuse(`Refused without asking the user: ${refusal}.`, true);
    }
    this.waiting.add(server.name);
    try {
      // The user's time: the server's clocks wait (a refusal above asks no one, so they run on).
      const answer = await (server.userAnswering ? server.userAnswering(dialog) : dialog());
      this.guard.answered(server.name, yes(answer), server.requestsSent());
      return answer;
    } finally {
      this.waiting.delete(server.name);
    }
  }
}
