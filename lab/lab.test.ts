// The lab itself: it comes up with the seeded networks and guests, stays inside its namespaces,
// and leaves nothing behind when stopped. Needs root (namespaces, libvirtd, QEMU).
import fs from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { localCommandRunner, runChecked } from '../electron/host/command-runner';
import {
  findLeasedAddress,
  labCommandRunner,
  labNetNamespace,
  processesInNamespace,
  readLabInfo,
  startLab,
  stopLab,
  waitForLease,
} from './lab';

interface IpLink {
  ifname: string;
  addr_info?: { family: string; local: string }[];
}

const isRoot = process.getuid?.() === 0;

describe('findLeasedAddress', () => {
  it('reads the IPv4 address of a MAC from virsh net-dhcp-leases output', () => {
    const output = [
      ' Expiry Time           MAC address         Protocol   IP address           Hostname   Client ID or DUID',
      '-----------------------------------------------------------------------------------------------------------',
      ' 2026-11-23 14:29:53   52:54:00:5a:00:01   ipv4       192.168.122.102/24   -          01:52:54:00:5a:00:01',
      '',
    ].join('\n');
    expect(findLeasedAddress(output, '52:54:00:5A:00:01')).toBe('192.168.122.102');
    expect(findLeasedAddress(output, '52:54:00:5a:00:02')).toBeUndefined();
  });
});

describe.skipIf(!isRoot)('lab', () => {
  let labWasRunning = false;

  afterAll(async () => {
    // Someone had a lab up (npm run lab:up) before this file stopped it; give it back.
    if (labWasRunning) await startLab({ waitForLeases: true });
  }, 120_000);

  it(
    'starts isolated from the host, serves leases to both guests and stops without leftovers',
    async () => {
      labWasRunning = (await readLabInfo()) !== undefined;
      const info = await startLab({ waitForLeases: true });
      const netNamespace = await labNetNamespace(info);

      const networkNames = (await runChecked(localCommandRunner(), 'virsh', ['-c', info.uri, 'net-list', '--all', '--name']))
        .split('\n')
        .map((line) => line.trim());
      expect(networkNames).toContain('default');
      expect(networkNames).toContain('lab-isolated');

      const labLinks = JSON.parse(
        await runChecked(labCommandRunner(info), 'ip', ['-json', 'addr', 'show', 'virbr0']),
      ) as IpLink[];
      const labAddresses = labLinks.flatMap((link) => link.addr_info ?? []).map((address) => address.local);
      expect(labAddresses).toContain('192.168.122.1');

      // The host must be untouched: no lab bridge in the test runner's own namespace.
      const hostLinks = JSON.parse(await runChecked(localCommandRunner(), 'ip', ['-json', 'link', 'show'])) as IpLink[];
      const hostLinkNames = hostLinks.map((link) => link.ifname);
      expect(hostLinkNames).not.toContain('virbr0');
      expect(hostLinkNames).not.toContain('virbr-lab1');

      const [firstGuest, secondGuest] = info.guests;
      expect(firstGuest?.network).toBe('default');
      expect(secondGuest?.network).toBe('lab-isolated');
      expect(await waitForLease(info, '52:54:00:5a:00:01', 5_000)).toMatch(/^192\.168\.122\.\d+$/);
      expect(await waitForLease(info, '52:54:00:5a:00:02', 5_000)).toMatch(/^10\.77\.0\.\d+$/);

      expect(await processesInNamespace(netNamespace)).not.toHaveLength(0);
      await stopLab();
      expect(await processesInNamespace(netNamespace)).toEqual([]);
      await expect(fs.stat(info.stateDir)).rejects.toThrow(/ENOENT/);
      expect(await readLabInfo()).toBeUndefined();
    },
    120_000,
  );
});
