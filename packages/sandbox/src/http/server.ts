import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The sandbox's HTTP listener: reads each body whole (bounded), hands it to `handle`, and writes
 * the answer, or drops the connection when a fault says so. Tracks sockets so that close() is prompt.
 */
export type HttpAnswer = { status: number; headers: Record<string, string>; body: string } | 'reset';
export type HttpHandler = (request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  sourceIp?: string;
}) => Promise<HttpAnswer>;

const MAX_BODY_BYTES = 1024 * 1024;

export interface Listening {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function listen(handler: HttpHandler, host: string, port: number): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    void serve(handler, request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Whatever goes wrong with one request stays with that request: the process never dies of it. */
async function serve(
  handler: HttpHandler,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    await answer(handler, request, response);
  } catch (error) {
    process.stderr.write(
      `keyward sandbox: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    if (!response.headersSent)
      response.writeHead(500, { 'content-type': 'text/plain' }).end('Internal error');
    else response.destroy();
  }
}

async function answer(
  handler: HttpHandler,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) {
    /* Answered in the protocol the client speaks: JSON for KMS (X-Amz-Target), XML for STS and IAM. */
    const json = request.headers['x-amz-target'] !== undefined;
    const text = json
      ? JSON.stringify({ __type: 'SerializationException', message: 'Request body too large' })
      : '<ErrorResponse><Error><Type>Sender</Type><Code>RequestEntityTooLarge</Code><Message>Request body too large</Message></Error></ErrorResponse>';
    response.writeHead(413, { 'content-type': json ? 'application/x-amz-json-1.1' : 'text/xml' }).end(text);
    return;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const result = await handler({
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    headers,
    body,
    sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, ''),
  });
  if (result === 'reset') {
    request.socket.destroy();
    return;
  }
  response
    .writeHead(result.status, { ...result.headers, 'content-length': Buffer.byteLength(result.body) })
    .end(result.body);
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    request.on('error', () => resolve(undefined));
  });
}
