// The serve shell's guards (token, Host, Origin, paths) and its WebSocket protocol, over real
// sockets on 127.0.0.1, with a core reading libvirt's test driver.
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ServerMessage } from '../../shared/wire';
import { createCore } from '../core/bootstrap';
import type { SwitchyardCore } from '../core/core';
import { createHandlerTable } from '../core/handlers';
import { startServeShell, type ServeShell } from './server';

let core: SwitchyardCore;
let shell: ServeShell;
let rendererDir: string;

beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'switchyard-renderer-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Switchyard</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'switchyard-secret.txt'), 'secret');
  core = createCore({ uri: 'test:///default' });
  await core.refresh();
  shell = await startServeShell({ table: createHandlerTable(core), rendererDir });
});

afterAll(async () => {
  await shell.close();
  core.stop();
  rmSync(rendererDir, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: shell.port, path, headers: { host: `127.0.0.1:${shell.port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const origin = () => `http://127.0.0.1:${shell.port}`;

describe('HTTP', () => {
  it('prints a loopback URL with a long random token', () => {
    expect(shell.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('serves the page with the token, sets the session cookie and the CSP', async () => {
    const res = await get(`/?token=${shell.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Switchyard</title>');
    expect(String(res.headers['set-cookie'])).toContain('HttpOnly');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('serves assets with the cookie alone', async () => {
    const res = await get('/assets/app.js', { cookie: `switchyard_token=${shell.token}` });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/javascript');
  });

  it.each([
    ['no token', '/', {}],
    ['a wrong token', '/?token=guess', {}],
    ['a wrong cookie', '/', { cookie: 'switchyard_token=guess' }],
    ['a foreign Host (DNS rebinding)', () => `/?token=${shell.token}`, { host: 'evil.example:80' }],
    ['a foreign Origin', () => `/?token=${shell.token}`, { origin: 'http://evil.example' }],
  ])('refuses %s', async (_what, path, headers) => {
    const res = await get(typeof path === 'function' ? path() : path, headers as Record<string, string>);
    expect(res.status).toBe(403);
  });

  it('never serves files outside the renderer', async () => {
    for (const path of ['/../switchyard-secret.txt', '/%2e%2e/switchyard-secret.txt', '/assets/%2e%2e%2f..%2fswitchyard-secret.txt']) {
      const res = await get(`${path}?token=${shell.token}`);
      expect(res.body).not.toContain('secret');
      expect([403, 404]).toContain(res.status);
    }
  });
});

function openSocket(headers: Record<string, string>, query = `?token=${shell.token}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${shell.port}/api${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<ServerMessage> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
}

describe('WebSocket', () => {
  it('refuses a socket without our Origin or token', async () => {
    await expect(openSocket({})).rejects.toThrow(/403/);
    await expect(openSocket({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(openSocket({ origin: origin() }, '')).rejects.toThrow(/403/);
  });

  it('answers requests and structured errors, and pushes subscriptions', async () => {
    const ws = await openSocket({ origin: origin() });
    try {
      ws.send(JSON.stringify({ t: 'req', id: 1, name: 'getSnapshot', input: {} }));
      const answer = await nextMessage(ws);
      expect(answer).toMatchObject({ t: 'res', id: 1, result: { ok: true } });

      ws.send(JSON.stringify({ t: 'req', id: 2, name: 'getNetworkDetails', input: { name: 7 } }));
      expect(await nextMessage(ws)).toMatchObject({
        t: 'res',
        id: 2,
        result: { ok: false, error: { code: 'invalid-input', field: 'name' } },
      });

      ws.send(JSON.stringify({ t: 'bogus', id: 3 }));
      expect(await nextMessage(ws)).toMatchObject({ t: 'res', id: 3, result: { ok: false } });

      ws.send(JSON.stringify({ t: 'sub', id: 4, name: 'snapshot', input: {} }));
      const event = await nextMessage(ws);
      expect(event).toMatchObject({ t: 'ev', id: 4 });
      expect(JSON.stringify(event)).toContain('"default"');
      ws.send(JSON.stringify({ t: 'unsub', id: 4 }));
    } finally {
      ws.close();
    }
  });

  it('closes a socket that sends something other than JSON', async () => {
    const ws = await openSocket({ origin: origin() });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('not json');
    expect(await closed).toBe(1003);
  });
});
