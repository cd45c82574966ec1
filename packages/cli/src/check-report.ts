import { bold, dim, green, printLines, red, statusWord } from './output.js';

/** A check or review finding as the console shows it: status, title, what was seen, what to fix. */
export interface ReportLine {
  title: string;
  status: string;
  message: string;
  remediation: string | null;
}

export function reportLines(results: ReportLine[]): string[] {
  return results.map((result) =>
    [
      `${statusWord(result.status).padEnd(4)} ${bold(result.title)}`,
      `     ${result.message}`,
      ...(result.remediation === null ? [] : [`     ${red('fix:')} ${result.remediation}`]),
    ].join('\n'),
  );
}

export function printReport(report: { ok: boolean; results: ReportLine[] }): void {
  printLines([...reportLines(report.results), verdict(report.ok)]);
}

export const verdict = (ok: boolean): string =>
  ok ? green('Every check passed.') : red('Some checks failed: fix what they name, then test again.');

export const heading = (text: string): string => `\n${dim(text)}`;
