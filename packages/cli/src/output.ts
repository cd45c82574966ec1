/** Colour only on a terminal, and never with NO_COLOR (https://no-color.org). */
const colour = (code: number) => (text: string) =>
  process.stdout.isTTY && process.env.NO_COLOR === undefined ? `\u001b[${code}m${text}\u001b[0m` : text;
export const green = colour(32);
export const red = colour(31);
export const yellow = colour(33);
export const dim = colour(2);
export const bold = colour(1);
export const cyan = colour(36);
export const magenta = colour(35);

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A check's status, coloured. */
export function statusWord(status: string): string {
  return status === 'pass'
    ? green('pass')
    : status === 'fail'
      ? red('FAIL')
      : status === 'warn'
        ? yellow('warn')
        : dim(status === 'skipped' ? 'skip' : status);
}
