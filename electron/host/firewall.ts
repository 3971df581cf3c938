// Unprivileged firewall-related reads of the host: the sockets listening on it (`ss`), which a
// port forward must not hide.
import { parseSsListeners, SS_LISTENER_ARGUMENTS, type Listener } from '../../shared/firewall/listeners';
import { runChecked, type CommandRunner } from './command-runner';

/** TCP listeners and bound UDP sockets of the host's (or the lab's) network namespace. */
export async function readListeners(runner: CommandRunner): Promise<Listener[]> {
  return parseSsListeners(await runChecked(runner, 'ss', [...SS_LISTENER_ARGUMENTS]));
}
