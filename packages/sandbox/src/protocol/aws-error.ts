/**
 * An error the sandbox answers with, in AWS's own terms: the code clients switch on,
 * the message, the HTTP status and the awsQuery `<Type>` (Sender = the caller's fault).
 */
export interface AwsErrorOptions {
  status?: number;
  type?: 'Sender' | 'Receiver';
  /** KMS's unmodeled errors (AccessDeniedException) put the text under `Message`, modeled ones under `message`. */
  messageField?: 'message' | 'Message';
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly type: 'Sender' | 'Receiver';
  readonly messageField: 'message' | 'Message';
  /** A message may be absent on the wire (InvalidCiphertextException has none). */
  readonly hasMessage: boolean;

  constructor(code: string, message?: string, options: AwsErrorOptions = {}) {
    super(message ?? code);
    this.name = 'AwsError';
    this.code = code;
    this.hasMessage = message !== undefined;
    this.status = options.status ?? 400;
    this.type = options.type ?? (this.status >= 500 ? 'Receiver' : 'Sender');
    this.messageField = options.messageField ?? 'message';
  }
}

export function isAwsError(error: unknown): error is AwsError {
  return error instanceof AwsError;
}
