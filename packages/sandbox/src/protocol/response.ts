/** What the HTTP layer writes back: a response, or (fault injection) a dropped connection. */
export interface AwsResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
