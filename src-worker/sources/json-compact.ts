import { CodedError } from '../../src-main/common/errors.ts';

/** What went wrong in an answer: the server's error text, or text that is no JSONCompact at all. */
export interface AnswerError {
  /** The server's error text ("Code: 395. …"), or the sentence saying the answer is unreadable. */
  text: string;
  /** When the answer held no server error: the unreadable answer as a coded error; else null. */
  unreadable: CodedError<'CLICKHOUSE_UNREADABLE_ANSWER'> | null;
}

/**
 * A JSONCompact answer as it arrives. ClickHouse writes it one row per line (strings escaped, so a
 * line never breaks inside a value), between the header (`"meta": [...]`, `"data":`, `[`) and the
 * trailer (`]`, `"rows": n`, statistics).
 */
export class JsonCompactParser {
  meta: { name: string; type: string }[] | null = null;
  /** The trailer's row count matched the rows seen. */
  complete = false;
  private state: 'head' | 'data' | 'tail' = 'head';
  private head = '';
  private carry: Buffer | null = null;
  private rows = 0;
  /** The error text from where it was found to the end of the answer. */
  private error: string | null = null;
  /** The error is text Crossdock cannot read, not a server's error. */
  private unreadable = false;
  private tail = '';

  /** Feeds a chunk of the answer; returns the rows completed by it. */
  push(chunk: Buffer): unknown[][] {
    let buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const nl = buf.lastIndexOf(10);
    if (nl < 0) {
      this.carry = buf;
      return [];
    }
    this.carry = nl + 1 < buf.length ? buf.subarray(nl + 1) : null;
    buf = buf.subarray(0, nl);
    return this.lines(buf.toString('utf8').split('\n'));
  }

  /** At the end of the answer: what went wrong in it, or null. */
  end(): AnswerError | null {
    if (this.carry) {
      const last = this.carry.toString('utf8');
      this.carry = null;
      this.lines([last]);
    }
    if (this.error !== null && this.unreadable) {
      const unreadable = new CodedError('CLICKHOUSE_UNREADABLE_ANSWER', { answer: this.error });
      return { text: unreadable.message, unreadable };
    }
    if (this.error) return { text: this.error, unreadable: null };
    const rows = /"rows":\s*(\d+)/.exec(this.tail);
    this.complete = this.state === 'tail' && rows !== null && Number(rows[1]) === this.rows;
    return null;
  }

  private lines(lines: string[]): unknown[][] {
    const rowTexts: string[] = [];
    for (const line of lines) {
      if (this.error !== null) {
        this.error += `\n${line}`;
        continue;
      }
      if (this.state === 'data') {
        if (line.startsWith('\t\t[')) {
          const last = line.charCodeAt(line.length - 1);
          if (last === 93 /* ] */) rowTexts.push(line);
          else if (last === 44 /* , */ && line.charCodeAt(line.length - 2) === 93)
            rowTexts.push(line.slice(0, -1));
          else this.fail(line);
        } else if (line === '\t]' || line === '\t],') {
          this.state = 'tail';
        } else if (line.trim() !== '') {
          this.fail(line);
        }
      } else if (this.state === 'head') {
        if (line === '\t"data":') {
          const m = /"meta":\s*(\[[\s\S]*\])\s*,?\s*$/.exec(this.head);
          if (!m) {
            this.fail(this.head);
            continue;
          }
          this.meta = JSON.parse(m[1]) as { name: string; type: string }[];
        } else if (this.meta && line === '\t[') {
          this.state = 'data';
        } else if (/Code: \d+/.test(line) && !this.head.includes('"meta"')) {
          this.fail(line);
        } else {
          this.head += `${line}\n`;
        }
      } else {
        // Current releases write an error met after the data as `"exception": "…"`.
        const ex = /^\s*"exception":\s*("(?:[^"\\]|\\.)*")/.exec(line);
        if (ex) this.fail(JSON.parse(ex[1]) as string);
        else if (/^\s*"rows":/.test(line)) this.tail += line;
      }
    }
    if (rowTexts.length === 0) return [];
    let parsed: unknown[][];
    try {
      parsed = JSON.parse(`[${rowTexts.join(',')}]`) as unknown[][];
    } catch {
      // A row line with the error glued to its end still ends in "]" by chance: find the culprit.
      parsed = [];
      for (const text of rowTexts) {
        try {
          parsed.push(JSON.parse(text.trim()) as unknown[]);
        } catch {
          this.fail(text);
          break;
        }
      }
    }
    this.rows += parsed.length;
    return parsed;
  }

  private fail(text: string): void {
    const at = text.search(/Code: \d+/);
    this.unreadable = at < 0;
    this.error = at >= 0 ? text.slice(at) : text.slice(0, 200);
  }
}
