// switchyard-helper: the privileged helper, started by the app with
// `pkexec --disable-internal-agent /usr/libexec/switchyard/switchyard-helper`. It takes no
// arguments (pkexec passes arguments through unchecked), speaks the JSON-lines protocol on
// stdio, logs to stderr, and exits when its standard input closes, rolling back anything open.
import { localCommandRunner } from '../host/command-runner';
import { serveHelper } from './helper-server';
import { HostOperations, resolvePrograms } from './privileged-operations';

async function main(): Promise<void> {
  if (process.argv.length > 2) {
    console.error('switchyard-helper takes no arguments; it reads JSON requests on standard input.');
    process.exit(2);
  }
  const operations = new HostOperations({
    runner: localCommandRunner(),
    programs: resolvePrograms(),
    root: '/',
    // pkexec sets PKEXEC_UID to the user who asked; run directly, the helper acts for its own user.
    uid: Number(process.env.PKEXEC_UID ?? process.getuid?.() ?? -1),
  });
  // Killed instead of closed: still put the host back before going.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => void operations.close().finally(() => process.exit(1)));
  }
  await serveHelper(process.stdin, process.stdout, operations);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`switchyard-helper: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
