/**
 * The request context a policy's conditions read: condition key → values. Keys compare
 * case-insensitively (as IAM's condition key names do); values are kept as sent.
 */
export class RequestContext {
  private readonly values = new Map<string, string[]>();
  private readonly multi = new Set<string>();

  set(key: string, value: string | undefined): this {
    if (value !== undefined) this.values.set(key.toLowerCase(), [value]);
    return this;
  }

  setMulti(key: string, values: string[]): this {
    this.values.set(key.toLowerCase(), values);
    this.multi.add(key.toLowerCase());
    return this;
  }

  get(key: string): string[] | undefined {
    return this.values.get(key.toLowerCase());
  }

  isMultiValued(key: string): boolean {
    return this.multi.has(key.toLowerCase());
  }

  entries(): [string, string[]][] {
    return [...this.values.entries()];
  }
}
