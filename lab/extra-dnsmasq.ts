// A dnsmasq that libvirt does not run, inside the lab: a bridge of its own with DHCP from a
// dnsmasq started by hand, the way a user serves a hand-made bridge. Tests use it to prove that
// Switchyard finds such an instance and reads its plain lease file.
import { runChecked } from '../electron/host/command-runner';
import { labCommandRunner, type LabInfo } from './lab';

export interface ExtraDnsmasqOptions {
  /** The bridge to make and serve, e.g. swy-dnsmasq0. */
  bridge: string;
  /** The bridge's own address, e.g. 10.88.0.1/24. */
  address: string;
  /** dnsmasq's --dhcp-range, e.g. 10.88.0.100,10.88.0.150,12h. */
  range: string;
  /** A directory of its own under /var/lib/libvirt, which the lab mounts from its state directory. */
  directory: string;
}

export interface ExtraDnsmasq {
  /** The lease file as dnsmasq (inside the lab) names it. */
  leaseFile: string;
  /** The same file as this process reaches it, through the lab's mount namespace. */
  hostLeaseFile: string;
  /** Stops dnsmasq and removes the bridge and the directory. */
  stop(): Promise<void>;
}

export async function startExtraDnsmasq(lab: LabInfo, options: ExtraDnsmasqOptions): Promise<ExtraDnsmasq> {
  const inLab = (program: string, args: string[]) => runChecked(labCommandRunner(lab), program, args);
  const leaseFile = `${options.directory}/dnsmasq.leases`;
  const pidFile = `${options.directory}/dnsmasq.pid`;
  const stop = async () => {
    await inLab('sh', ['-c', 'test -f "$1" && kill "$(cat "$1")"; true', 'sh', pidFile]).catch(() => undefined);
    await inLab('ip', ['link', 'del', options.bridge]).catch(() => undefined);
    await inLab('rm', ['-rf', options.directory]).catch(() => undefined);
  };
  // Whatever a crashed run left behind goes first.
  await stop();
  try {
    await inLab('ip', ['link', 'add', options.bridge, 'type', 'bridge']);
    await inLab('ip', ['addr', 'add', options.address, 'dev', options.bridge]);
    await inLab('ip', ['link', 'set', options.bridge, 'up']);
    await inLab('mkdir', ['-p', options.directory]);
    // DHCP only (port 0 turns DNS off), on this bridge only; dnsmasq forks and returns.
    await inLab('dnsmasq', [
      '--conf-file=/dev/null',
      `--interface=${options.bridge}`,
      '--bind-interfaces',
      '--except-interface=lo',
      '--port=0',
      `--dhcp-range=${options.range}`,
      `--dhcp-leasefile=${leaseFile}`,
      `--pid-file=${pidFile}`,
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { leaseFile, hostLeaseFile: `/proc/${lab.nsPid}/root${leaseFile}`, stop };
}
