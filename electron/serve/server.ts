// The serve shell: the renderer over HTTP and the contract over a WebSocket, on 127.0.0.1 only.
// A random token guards every request (query parameter once, then an HttpOnly cookie), and Host
// and Origin are checked so that no other web page, nor a DNS-rebinding one, can drive the core.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientMessageSchema, MAX_CLIENT_MESSAGE_BYTES, TOKEN_COOKIE, WIRE_PATH, type ServerMessage } from '../../shared/wire';
import { errorFromZod } from '../../shared/errors';
import { CONTENT_SECURITY_POLICY } from '../core/content-security-policy';
import { contentTypeOf, resolveRendererFile } from '../core/renderer-files';
import { dispatchRequest, openSubscription, type HandlerTable } from '../core/handlers';

export interface ServeOptions {
  table: HandlerTable;
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token for tests; random otherwise. */
  token?: string;
}

export interface ServeShell {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

export async function startServeShell(options: ServeOptions): Promise<ServeShell> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  let port = 0;

  const server = createServer((request, response) => {
    const denial = checkRequest(request, port, token);
    if (denial) return deny(response, denial);
    if (new URL(request.url ?? '/', 'http://x').searchParams.get('token') === token) {
      response.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    void serveStatic(options.rendererDir, request, response);
  });

  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const denial = path === WIRE_PATH ? checkRequest(request, port, token, true) : 'Not found';
    if (denial) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n${denial}\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveSocket(ws, options.table));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Returns why a request is refused, or undefined when it may proceed. */
function checkRequest(request: IncomingMessage, port: number, token: string, requireOrigin = false): string | undefined {
  const allowedHosts = [`${LOOPBACK}:${port}`, `localhost:${port}`];
  if (!allowedHosts.includes(request.headers.host ?? '')) return 'Unexpected Host header.';
  const origin = request.headers.origin;
  if (origin !== undefined || requireOrigin) {
    if (!allowedHosts.some((host) => origin === `http://${host}`)) return 'Cross-origin requests are refused.';
  }
  const url = new URL(request.url ?? '/', 'http://x');
  const offered = url.searchParams.get('token') ?? readCookie(request.headers.cookie, TOKEN_COOKIE);
  if (!offered || !sameSecret(offered, token)) {
    return 'Missing or wrong token: open the exact address that "npm run serve" printed.';
  }
  return undefined;
}

function sameSecret(offered: string, token: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function deny(response: ServerResponse, reason: string): void {
  response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(`${reason}\n`);
}

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' });
    response.end();
    return;
  }
  const file = resolveRendererFile(root, new URL(request.url ?? '/', 'http://x').pathname);
  if (!file) return deny(response, 'Path outside the application.');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('Not found\n');
    return;
  }
  response.writeHead(200, {
    'Content-Type': contentTypeOf(file),
    'Content-Length': info.size,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  if (request.method === 'HEAD') return void response.end();
  createReadStream(file).pipe(response);
}

function serveSocket(ws: WebSocket, table: HandlerTable): void {
  const subscriptions = new Map<number, () => void>();
  const send = (message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  ws.on('message', (data) => {
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      return ws.close(1003, 'Messages must be JSON.');
    }
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : 0;
      return send({ t: 'res', id, result: { ok: false, error: errorFromZod(parsed.error, 'The message') } });
    }
    const message = parsed.data;
    switch (message.t) {
      case 'req':
        void dispatchRequest(table, message.name, message.input).then((result) =>
          send({ t: 'res', id: message.id, result }),
        );
        return;
      case 'sub': {
        subscriptions.get(message.id)?.();
        const opened = openSubscription(table, message.name, message.input, (event) =>
          send({ t: 'ev', id: message.id, event }),
        );
        if (opened.ok) subscriptions.set(message.id, opened.value);
        else send({ t: 'res', id: message.id, result: opened });
        return;
      }
      case 'unsub':
        subscriptions.get(message.id)?.();
        subscriptions.delete(message.id);
        return;
    }
  });

  ws.on('close', () => {
    for (const close of subscriptions.values()) close();
    subscriptions.clear();
  });
}
