import { bold, cyan, dim } from '../output.js';

/** Anything the demo reports: a step beginning, or what happened in it. */
export type DemoEvent = { event: string; step: string | null; elapsedMs: number } & Record<string, unknown>;

/**
 * The demo's two voices: narration for people (colour only on a terminal without NO_COLOR), or one
 * JSON object per line for scripts and tests (`--json`), each with its step and the time since the start.
 */
export class DemoReporter {
  private current: string | null = null;
  private readonly started = Date.now();
  readonly events: DemoEvent[] = [];

  constructor(
    private readonly json: boolean,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  step(index: number, total: number, id: string, title: string, narration: string): void {
    this.current = id;
    this.emit('step', { n: index, of: total, title }, [
      '',
      `${cyan(bold(`[${index}/${total}]`))} ${bold(title)}`,
      ...wrap(narration).map((line) => dim(`  ${line}`)),
    ]);
  }

  /** One event: a JSON line, or these lines of narration. */
  emit(event: string, data: Record<string, unknown>, lines: string[] = []): void {
    const entry: DemoEvent = { event, step: this.current, elapsedMs: Date.now() - this.started, ...data };
    this.events.push(entry);
    if (this.json) this.write(`${JSON.stringify(entry)}\n`);
    else if (lines.length > 0) this.write(`${lines.join('\n')}\n`);
  }

  /** After the last step: later events belong to no step. */
  finish(): void {
    this.current = null;
  }

  /** Narration only: nothing in JSON mode. */
  say(...lines: string[]): void {
    if (!this.json) this.write(`${lines.map((line) => `  ${line}`).join('\n')}\n`);
  }

  /** A document as the customer sees it in the kit, indented. */
  document(title: string, value: unknown): void {
    this.say(
      bold(title),
      ...JSON.stringify(value, null, 2)
        .split('\n')
        .map((line) => dim(`  ${line}`)),
    );
  }

  get elapsedMs(): number {
    return Date.now() - this.started;
  }
}

/** Narration wrapped at 96 columns, so that it reads on a laptop terminal. */
function wrap(text: string, width = 96): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
