import type { CliErrorCode } from './cli-errors.js';

/** A failure the server answered with (its stable code), or could not be reached at all. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface Connection {
  url: string;
  token: string;
}

/** The Keyward HTTP API, with the operator's (or a tenant admin's) bearer token. */
export class ApiClient {
  constructor(private readonly connection: Connection) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON of documented routes; commands pick what they print
  async call(method: string, path: string, body?: unknown): Promise<any> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.connection.url), {
        method,
        headers: {
          authorization: `Bearer ${this.connection.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError(
        'KW_UNREACHABLE' satisfies CliErrorCode,
        `Cannot reach Keyward at ${this.connection.url} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}).`,
        0,
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      const failure = parsed as
        { code?: string; message?: string; details?: Record<string, unknown> } | undefined;
      throw new ApiError(
        failure?.code ?? `HTTP_${response.status}`,
        failure?.message ?? `HTTP ${response.status}`,
        response.status,
        failure?.details,
      );
    }
    return parsed;
  }
}
