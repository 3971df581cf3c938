// The Electron shell: one sandboxed window showing the renderer from app://, the contract served
// over IPC from the same handler table as the serve shell. Kept thin: everything else is the core.
import { app, BrowserWindow, ipcMain, protocol, session, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore, DEFAULT_URI } from '../core/bootstrap';
import { CONTENT_SECURITY_POLICY } from '../core/content-security-policy';
import { contentTypeOf, resolveRendererFile } from '../core/renderer-files';
import { dispatchRequest, openSubscription, createHandlerTable } from '../core/handlers';
import { IPC_REQUEST_CHANNEL, IPC_SUBSCRIBE_CHANNEL } from '../preload/channels';

const APP_ORIGIN = 'app://switchyard';
const RENDERER_DIR = join(__dirname, '..', 'renderer');
protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const { values: cli } = parseArgs({
  args: process.argv.slice(app.isPackaged ? 1 : 2),
  options: { connect: { type: 'string' } },
  strict: false,
});
const core = createCore({ uri: typeof cli.connect === 'string' ? cli.connect : DEFAULT_URI });
const table = createHandlerTable(core);
const trustedContents = new Set<number>();

/** Only the top frame of our own window, showing our own origin, may talk to the core. */
function isTrustedSender(event: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return (
    trustedContents.has(event.sender.id) &&
    frame !== null &&
    frame.parent === null &&
    new URL(frame.url).origin === APP_ORIGIN
  );
}

async function serveRendererFile(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const file = resolveRendererFile(RENDERER_DIR, url.pathname);
  if (url.host !== 'switchyard' || !file) {
    return new Response('Forbidden', { status: 403 });
  }
  try {
    return new Response(await readFile(file), {
      headers: {
        'Content-Type': contentTypeOf(file),
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Switchyard',
    show: false,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const contentsId = window.webContents.id;
  trustedContents.add(contentsId);
  window.on('closed', () => trustedContents.delete(contentsId));
  window.once('ready-to-show', () => window.show());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-redirect', (event) => event.preventDefault());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
}

app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  protocol.handle('app', serveRendererFile);

  ipcMain.handle(IPC_REQUEST_CHANNEL, (event, name: unknown, input: unknown) => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { code: 'forbidden', message: 'This frame may not use Switchyard.' } };
    }
    return dispatchRequest(table, name, input);
  });

  ipcMain.on(IPC_SUBSCRIBE_CHANNEL, (event, message: unknown) => {
    const [port] = event.ports;
    if (!port) return;
    if (!isTrustedSender(event)) return port.close();
    const { name, input } = (typeof message === 'object' && message !== null ? message : {}) as {
      name?: unknown;
      input?: unknown;
    };
    const opened = openSubscription(table, name, input, (value) => port.postMessage({ event: value }));
    if (!opened.ok) {
      port.postMessage({ error: opened.error });
      return port.close();
    }
    port.on('close', opened.value);
    port.start();
  });

  core.start();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

app.on('window-all-closed', () => {
  // shutdown() rolls back a host-bridge change still waiting for confirmation (the helper would too, once its stdin closes).
  void core.shutdown().finally(() => app.quit());
});
