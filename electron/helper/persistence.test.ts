import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { networkManagerCommands } from '../../shared/bridge-persistence';
import type { BridgePersistenceSpec } from '../../shared/helper-protocol';
import { localCommandRunner } from '../host/command-runner';
import { detectManager, HostOperations } from './privileged-operations';

const staticSpec: BridgePersistenceSpec = {
  bridge: 'br0',
  port: 'eno1',
  mac: '74:d4:35:ed:79:d7',
  stp: false,
  addressing: {
    mode: 'static',
    addresses: ['192.168.4.7/16'],
    routes: [
      { family: 'ipv4', destination: '10.9.0.0/16', gateway: '192.168.4.254', protocol: 'boot' },
      { family: 'ipv4', destination: 'default', gateway: '192.168.1.1', metric: 100, protocol: 'dhcp' },
    ],
  },
};

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-persist-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

// nmcli is never reached for networkd; a missing ip would only matter to link operations.
const operations = () => new HostOperations({ runner: localCommandRunner(), programs: { ip: '/usr/sbin/ip' }, root, uid: 1000 });
const read = (file: string) => fs.readFile(path.join(root, file), 'utf8');
const HEADER = '# Written by Switchyard (host bridge wizard). Remove the bridge in Switchyard to remove this file.';

describe('systemd-networkd persistence in a temp root', () => {
  it('writes the seed’s three files, with the MAC, STP, addresses and routes', async () => {
    const result = await operations().call('persistence.write', { manager: 'networkd', spec: staticSpec });
    expect(result.done).toEqual([
      '/etc/systemd/network/05-switchyard-br0.netdev',
      '/etc/systemd/network/05-switchyard-br0-port-eno1.network',
      '/etc/systemd/network/06-switchyard-br0.network',
    ]);
    expect(await read('etc/systemd/network/05-switchyard-br0.netdev')).toBe(
      `${HEADER}\n\n[NetDev]\nName=br0\nKind=bridge\nMACAddress=74:d4:35:ed:79:d7\n\n[Bridge]\nSTP=no\n`,
    );
    expect(await read('etc/systemd/network/05-switchyard-br0-port-eno1.network')).toBe(
      `${HEADER}\n\n[Match]\nName=eno1\n\n[Network]\nBridge=br0\n`,
    );
    expect(await read('etc/systemd/network/06-switchyard-br0.network')).toBe(
      `${HEADER}\n\n[Match]\nName=br0\n\n[Network]\nAddress=192.168.4.7/16\n\n` +
        '[Route]\nDestination=10.9.0.0/16\nGateway=192.168.4.254\n\n[Route]\nGateway=192.168.1.1\nMetric=100\n',
    );
    const mode = (await fs.stat(path.join(root, 'etc/systemd/network/06-switchyard-br0.network'))).mode & 0o777;
    expect(mode).toBe(0o644);
    expect(await fs.readdir(path.join(root, 'etc/systemd/network'))).toHaveLength(3);
  });

  it('writes DHCP=yes and STP for a DHCP bridge, and removes its files again', async () => {
    const ops = operations();
    await ops.call('persistence.write', { manager: 'networkd', spec: { ...staticSpec, stp: true, addressing: { mode: 'dhcp' } } });
    expect(await read('etc/systemd/network/06-switchyard-br0.network')).toBe(`${HEADER}\n\n[Match]\nName=br0\n\n[Network]\nDHCP=yes\n`);
    expect(await read('etc/systemd/network/05-switchyard-br0.netdev')).toContain('[Bridge]\nSTP=yes\nForwardDelaySec=4\n');
    await ops.call('persistence.remove', { manager: 'networkd', bridge: 'br0', port: 'eno1' });
    expect(await fs.readdir(path.join(root, 'etc/systemd/network'))).toEqual([]);
  });

  it('says clearly that NetworkManager profiles need nmcli', async () => {
    await expect(operations().call('persistence.write', { manager: 'networkmanager', spec: staticSpec })).rejects.toThrow(/nmcli is not installed/);
  });
});

describe('NetworkManager profiles', () => {
  it('are two nmcli connection adds: the bridge with addressing, the port above the NIC’s old profile', () => {
    expect(networkManagerCommands(staticSpec)).toEqual([
      [
        'connection', 'add', 'type', 'bridge', 'con-name', 'switchyard-br0', 'ifname', 'br0',
        'bridge.stp', 'no', 'bridge.mac-address', '74:d4:35:ed:79:d7',
        'ipv4.method', 'manual', 'ipv4.addresses', '192.168.4.7/16', 'ipv4.gateway', '192.168.1.1',
        'ipv4.routes', '10.9.0.0/16 192.168.4.254',
        'ipv6.method', 'ignore',
      ],
      [
        'connection', 'add', 'type', 'bridge-slave', 'con-name', 'switchyard-br0-port-eno1', 'ifname', 'eno1',
        'master', 'br0', 'connection.autoconnect-priority', '100',
      ],
    ]);
  });
});

describe('detectManager', () => {
  it('finds what runs from its runtime files, and warns about each case', async () => {
    expect(detectManager(root).manager).toBe('none');
    expect(detectManager(root).warnings[0]).toMatch(/will not survive a reboot/);
    await fs.mkdir(path.join(root, 'run/systemd/netif'), { recursive: true });
    await fs.writeFile(path.join(root, 'run/systemd/netif/state'), 'OPER_STATE=routable\n');
    expect(detectManager(root).manager).toBe('networkd');
    await fs.mkdir(path.join(root, 'run/NetworkManager'), { recursive: true });
    expect(detectManager(root)).toMatchObject({ manager: 'networkmanager', warnings: [expect.stringMatching(/both run/)] });
  });
});
