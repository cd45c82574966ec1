import { AwsError } from './aws-error.js';

/**
 * Collects parameter constraint violations and reports them the way AWS's front end does:
 * "2 validation errors detected: Value 'x' at 'roleSessionName' failed to satisfy constraint:
 * Member must …; …". Field names appear in lowerCamelCase, as in AWS's messages.
 */
export interface StringRules {
  required?: boolean;
  min?: number;
  max?: number;
  /** Regular expression tested against the whole value, and the text AWS prints for it. */
  pattern?: { regex: RegExp; text: string };
  values?: readonly string[];
  /** Hide the value in the message (Plaintext). */
  sensitive?: boolean;
}

export interface NumberRules {
  required?: boolean;
  min?: number;
  max?: number;
}

export class Validator {
  private readonly errors: string[] = [];

  constructor(private readonly code: 'ValidationException' | 'ValidationError') {}

  static field(name: string): string {
    return name.charAt(0).toLowerCase() + name.slice(1);
  }

  private violation(name: string, value: string | null, sensitive: boolean, constraint: string): void {
    const shown = value === null ? 'Value null' : sensitive ? 'Value' : `Value '${value}'`;
    this.errors.push(
      `${shown} at '${Validator.field(name)}' failed to satisfy constraint: Member must ${constraint}`,
    );
  }

  checkString(name: string, value: string | undefined, rules: StringRules): void {
    if (value === undefined) {
      if (rules.required) this.violation(name, null, false, 'not be null');
      return;
    }
    const sensitive = rules.sensitive ?? false;
    if (rules.min !== undefined && value.length < rules.min)
      this.violation(name, value, sensitive, `have length greater than or equal to ${rules.min}`);
    if (rules.max !== undefined && value.length > rules.max)
      this.violation(name, value, sensitive, `have length less than or equal to ${rules.max}`);
    if (rules.pattern && !rules.pattern.regex.test(value))
      this.violation(name, value, sensitive, `satisfy regular expression pattern: ${rules.pattern.text}`);
    if (rules.values && !rules.values.includes(value))
      this.violation(name, value, sensitive, `satisfy enum value set: [${rules.values.join(', ')}]`);
  }

  checkLength(
    name: string,
    length: number | undefined,
    rules: { required?: boolean; min?: number; max?: number },
  ): void {
    if (length === undefined) {
      if (rules.required) this.violation(name, null, false, 'not be null');
      return;
    }
    /* Blob values are never echoed: "Value at 'plaintext' failed to satisfy constraint: …". */
    if (rules.min !== undefined && length < rules.min)
      this.violation(name, '', true, `have length greater than or equal to ${rules.min}`);
    if (rules.max !== undefined && length > rules.max)
      this.violation(name, '', true, `have length less than or equal to ${rules.max}`);
  }

  checkNumber(name: string, value: number | undefined, rules: NumberRules): void {
    if (value === undefined) {
      if (rules.required) this.violation(name, null, false, 'not be null');
      return;
    }
    if (rules.min !== undefined && value < rules.min)
      this.violation(name, String(value), false, `have value greater than or equal to ${rules.min}`);
    if (rules.max !== undefined && value > rules.max)
      this.violation(name, String(value), false, `have value less than or equal to ${rules.max}`);
  }

  /** Throws the collected violations as one ValidationException / ValidationError. */
  done(): void {
    if (this.errors.length === 0) return;
    const count = this.errors.length;
    throw new AwsError(
      this.code,
      `${count} validation error${count > 1 ? 's' : ''} detected: ${this.errors.join('; ')}`,
    );
  }
}
