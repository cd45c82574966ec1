import { AwsError } from '../protocol/aws-error.js';
import { Validator, type NumberRules, type StringRules } from '../protocol/validation.js';
import type { Tag } from '../state/types.js';

/**
 * Typed access to a KMS request's JSON members. A member of the wrong JSON type is a
 * SerializationException (the request cannot be deserialised); a well-typed value that breaks
 * a constraint is collected as a ValidationException, reported together by `done()`.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const serialization = (): AwsError => new AwsError('SerializationException');

export class KmsInput {
  private readonly validator = new Validator('ValidationException');

  constructor(private readonly raw: Record<string, unknown>) {}

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  string(name: string, rules: StringRules = {}): string | undefined {
    const value = this.raw[name] ?? undefined;
    if (value !== undefined && typeof value !== 'string') throw serialization();
    this.validator.checkString(name, value, rules);
    return value;
  }

  blob(name: string, rules: { required?: boolean; min?: number; max?: number } = {}): Buffer | undefined {
    const value = this.raw[name] ?? undefined;
    if (value !== undefined && (typeof value !== 'string' || !BASE64.test(value))) throw serialization();
    const bytes = value === undefined ? undefined : Buffer.from(value, 'base64');
    this.validator.checkLength(name, bytes?.length, rules);
    return bytes;
  }

  integer(name: string, rules: NumberRules = {}): number | undefined {
    const value = this.raw[name] ?? undefined;
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value))) throw serialization();
    this.validator.checkNumber(name, value, rules);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.raw[name] ?? undefined;
    if (value !== undefined && typeof value !== 'boolean') throw serialization();
    return value;
  }

  /** An encryption context: a JSON object of string values. */
  context(name: string): Record<string, string> | undefined {
    const value = this.raw[name] ?? undefined;
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw serialization();
    for (const entry of Object.values(value)) if (typeof entry !== 'string') throw serialization();
    return value as Record<string, string>;
  }

  tags(name: string): Tag[] | undefined {
    const value = this.raw[name] ?? undefined;
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw serialization();
    return value.map((item: unknown) => {
      if (typeof item !== 'object' || item === null) throw serialization();
      const { TagKey, TagValue } = item as Record<string, unknown>;
      if (typeof TagKey !== 'string' || typeof TagValue !== 'string') throw serialization();
      return { key: TagKey, value: TagValue };
    });
  }

  stringList(name: string): string[] | undefined {
    const value = this.raw[name] ?? undefined;
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw serialization();
    return value as string[];
  }

  done(): void {
    this.validator.done();
  }
}
