import { AwsError } from './aws-error.js';
import { Validator, type NumberRules, type StringRules } from './validation.js';

/**
 * Typed access to awsQuery parameters (everything arrives as a string). Lists are flattened
 * as AWS's query serialisation does: `Tags.member.1.Key`, `PolicyArns.member.1.arn`.
 */
export class QueryInput {
  private readonly validator = new Validator('ValidationError');

  constructor(readonly params: Map<string, string>) {}

  string(name: string, rules: StringRules = {}): string | undefined {
    const value = this.params.get(name);
    this.validator.checkString(name, value, rules);
    return value;
  }

  integer(name: string, rules: NumberRules = {}): number | undefined {
    const text = this.params.get(name);
    if (text === undefined) {
      this.validator.checkNumber(name, undefined, rules);
      return undefined;
    }
    if (!/^-?\d+$/.test(text))
      throw new AwsError(
        'ValidationError',
        `Value '${text}' at '${Validator.field(name)}' failed to satisfy constraint: Member must be a number`,
      );
    const value = Number(text);
    this.validator.checkNumber(name, value, rules);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const text = this.params.get(name);
    if (text === undefined) return undefined;
    if (text !== 'true' && text !== 'false')
      throw new AwsError(
        'ValidationError',
        `Value '${text}' at '${Validator.field(name)}' failed to satisfy constraint: Member must be a boolean`,
      );
    return text === 'true';
  }

  /** `<name>.member.N.<field>` structures, in N order. */
  structList(name: string, fields: string[]): Record<string, string | undefined>[] {
    const indexes = this.memberIndexes(name);
    return indexes.map((index) =>
      Object.fromEntries(fields.map((field) => [field, this.params.get(`${name}.member.${index}.${field}`)])),
    );
  }

  /** `<name>.member.N` (or `<name>.member.N.<field>` for lists of single-field structures). */
  stringList(name: string, field?: string): string[] {
    return this.memberIndexes(name)
      .map((index) => this.params.get(field ? `${name}.member.${index}.${field}` : `${name}.member.${index}`))
      .filter((value): value is string => value !== undefined);
  }

  private memberIndexes(name: string): number[] {
    const prefix = `${name}.member.`;
    const indexes = new Set<number>();
    for (const key of this.params.keys()) {
      if (!key.startsWith(prefix)) continue;
      const index = Number(key.slice(prefix.length).split('.')[0]);
      if (Number.isInteger(index) && index > 0) indexes.add(index);
    }
    return [...indexes].sort((a, b) => a - b);
  }

  done(): void {
    this.validator.done();
  }
}
