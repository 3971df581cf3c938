// `npm run serve [-- --connect URI | --lab] [--port N]`: the core and the renderer on 127.0.0.1,
// for a headless hypervisor and for our browser tests.
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore, DEFAULT_URI, readLabTarget, type CoreTarget } from '../core/bootstrap';
import { createHandlerTable } from '../core/handlers';
import { startServeShell } from './server';

const USAGE = `Usage: switchyard serve [--connect URI | --lab] [--port N]

  --connect URI  libvirt connection (default ${DEFAULT_URI})
  --lab          use the lab started by "npm run lab:up", host-level reads included
  --port N       listen on 127.0.0.1:N (default: a free port)`;

function parseCommandLine(argv: string[]): { target: CoreTarget; port: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      connect: { type: 'string' },
      lab: { type: 'boolean', default: false },
      port: { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.lab && values.connect) throw new Error('--lab and --connect cannot be combined.');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${values.port}" is not a port.`);
  const target = values.lab ? readLabTarget() : { uri: values.connect ?? DEFAULT_URI };
  return { target, port };
}

async function main(): Promise<void> {
  let options: { target: CoreTarget; port: number };
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    console.error(`switchyard serve: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  const core = createCore(options.target);
  core.start();
  const shell = await startServeShell({
    table: createHandlerTable(core),
    // The bundle lives at dist/serve.cjs, the renderer at dist/renderer.
    rendererDir: join(dirname(process.argv[1] ?? '.'), 'renderer'),
    port: options.port,
  });
  console.log(`Switchyard serving at ${shell.url}`);

  const shutdown = () => {
    // shutdown() rolls back a host-bridge change still waiting for confirmation.
    void core
      .shutdown()
      .finally(() => shell.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

void main();
