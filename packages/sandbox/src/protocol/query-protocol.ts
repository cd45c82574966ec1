import { AwsError } from './aws-error.js';
import type { AwsResponse } from './response.js';
import { escapeXml, xmlElement, type XmlValue } from './xml.js';

/** STS and IAM speak awsQuery: form-encoded parameters in, XML out in the service's namespace. */
export const QUERY_NAMESPACES = {
  sts: { namespace: 'https://sts.amazonaws.com/doc/2011-06-15/', version: '2011-06-15' },
  iam: { namespace: 'https://iam.amazonaws.com/doc/2010-05-08/', version: '2010-05-08' },
} as const;

export type QueryService = keyof typeof QUERY_NAMESPACES;

/** Parameters from the form body and the URL's query string (awsQuery accepts both). */
export function parseQueryInput(
  body: Buffer,
  urlQuery: Record<string, string | string[]>,
  contentType: string | undefined,
): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of Object.entries(urlQuery))
    params.set(name, Array.isArray(value) ? (value[0] ?? '') : value);
  if (body.length === 0) return params;
  /* Precondition: a body must be a form; anything else is the caller's mistake, not a crash. */
  if (
    contentType !== undefined &&
    !contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')
  ) {
    throw new AwsError('ValidationError', `Unsupported content type: ${contentType}`);
  }
  const text = body.toString('utf8');
  for (const [name, value] of new URLSearchParams(text)) params.set(name, value);
  return params;
}

export function xmlResponse(
  service: QueryService,
  action: string,
  requestId: string,
  result: XmlValue | undefined,
): AwsResponse {
  const { namespace } = QUERY_NAMESPACES[service];
  const resultXml = result === undefined ? '' : xmlElement(`${action}Result`, result);
  const body =
    `<${action}Response xmlns="${namespace}">${resultXml}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, as AWS writes it. */
export function xmlError(service: QueryService, requestId: string, error: AwsError): AwsResponse {
  const { namespace } = QUERY_NAMESPACES[service];
  const message = error.hasMessage ? `<Message>${escapeXml(error.message)}</Message>` : '';
  const body =
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code>${message}</Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body,
  };
}
