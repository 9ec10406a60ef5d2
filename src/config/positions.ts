import type { SourcePosition, SourceRange } from './types';

/** Maps offsets in a text to zero-based line/character positions, counting lines the way VS Code does. */
export class LineMap {
  /** Offset at which each line starts. `\r\n`, `\n` and a lone `\r` each end a line. */
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 13 /* \r */ && text.charCodeAt(i + 1) === 10 /* \n */) i++;
      if (ch === 13 || ch === 10) this.starts.push(i + 1);
    }
  }

  position(offset: number): SourcePosition {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: offset - this.starts[low]! };
  }

  range(offset: number, length: number): SourceRange {
    return { start: this.position(offset), end: this.position(offset + length), offset, length };
  }
}
