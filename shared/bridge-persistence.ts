// What makes a confirmed host bridge survive a reboot: systemd-networkd files (as seed 001 writes
// them by hand) or NetworkManager connection profiles made with nmcli. Rendered here from a typed
// spec, so the review shows the very files and commands the helper writes and runs.
import type { BridgePersistenceSpec, NetworkManagerKind, RouteSpec } from './helper-protocol';

/** Where networkd reads its configuration, relative to the root the helper writes under. */
export const NETWORKD_DIRECTORY = 'etc/systemd/network';

export interface PersistenceFile {
  /** Path relative to the root ("etc/systemd/network/…"); shown with a leading "/". */
  path: string;
  content: string;
}

const HEADER = '# Written by Switchyard (host bridge wizard). Remove the bridge in Switchyard to remove this file.\n';

/** The networkd file names for a bridge; a low number so they match before a distribution's catch-all `en*` file. */
export function networkdFilePaths(bridge: string, port: string): { netdev: string; portNetwork: string; bridgeNetwork: string } {
  return {
    netdev: `${NETWORKD_DIRECTORY}/05-switchyard-${bridge}.netdev`,
    portNetwork: `${NETWORKD_DIRECTORY}/05-switchyard-${bridge}-port-${port}.network`,
    bridgeNetwork: `${NETWORKD_DIRECTORY}/06-switchyard-${bridge}.network`,
  };
}

export function networkdFiles(spec: BridgePersistenceSpec): PersistenceFile[] {
  const paths = networkdFilePaths(spec.bridge, spec.port);
  const netdev = [
    HEADER,
    '[NetDev]',
    `Name=${spec.bridge}`,
    'Kind=bridge',
    ...(spec.mac ? [`MACAddress=${spec.mac}`] : []),
    '',
    '[Bridge]',
    `STP=${spec.stp ? 'yes' : 'no'}`,
    ...(spec.stp ? ['ForwardDelaySec=4'] : []),
  ];
  const port = [HEADER, '[Match]', `Name=${spec.port}`, '', '[Network]', `Bridge=${spec.bridge}`];
  const addressing = spec.addressing;
  const bridge =
    addressing.mode === 'dhcp'
      ? [HEADER, '[Match]', `Name=${spec.bridge}`, '', '[Network]', 'DHCP=yes']
      : [
          HEADER,
          '[Match]',
          `Name=${spec.bridge}`,
          '',
          '[Network]',
          ...addressing.addresses.map((cidr) => `Address=${cidr}`),
          ...addressing.routes.flatMap((route) => ['', ...networkdRoute(route)]),
        ];
  return [
    { path: paths.netdev, content: lines(netdev) },
    { path: paths.portNetwork, content: lines(port) },
    { path: paths.bridgeNetwork, content: lines(bridge) },
  ];
}

function networkdRoute(route: RouteSpec): string[] {
  return [
    '[Route]',
    ...(route.destination !== 'default' ? [`Destination=${route.destination}`] : []),
    ...(route.gateway ? [`Gateway=${route.gateway}`] : []),
    ...(route.metric !== undefined ? [`Metric=${route.metric}`] : []),
    ...(route.scope && route.scope !== 'global' ? [`Scope=${route.scope}`] : []),
    ...(route.source ? [`PreferredSource=${route.source}`] : []),
    ...(route.onlink ? ['GatewayOnLink=yes'] : []),
  ];
}

function lines(parts: readonly string[]): string {
  return `${parts.join('\n').replace(/^\n/, '')}\n`;
}

/** NetworkManager profile names: the bridge's own, and its port's. */
export function networkManagerProfileNames(bridge: string, port: string): { bridge: string; port: string } {
  return { bridge: `switchyard-${bridge}`, port: `switchyard-${bridge}-port-${port}` };
}

/** nmcli argument arrays (after the program) that create the bridge's profiles. */
export function networkManagerCommands(spec: BridgePersistenceSpec): string[][] {
  const names = networkManagerProfileNames(spec.bridge, spec.port);
  const addressing = spec.addressing;
  const ipv4 = addressing.mode === 'static' ? addressing.addresses.filter((cidr) => !cidr.includes(':')) : [];
  const ipv6 = addressing.mode === 'static' ? addressing.addresses.filter((cidr) => cidr.includes(':')) : [];
  const defaults = addressing.mode === 'static' ? addressing.routes.filter((r) => r.destination === 'default' && r.gateway) : [];
  const others = addressing.mode === 'static' ? addressing.routes.filter((r) => r.destination !== 'default') : [];
  const gateway = (family: RouteSpec['family']) => defaults.find((r) => r.family === family)?.gateway;
  const routes = (family: RouteSpec['family']) =>
    others
      .filter((r) => r.family === family)
      .map((r) => [r.destination, r.gateway, r.metric].filter((part) => part !== undefined).join(' '))
      .join(',');
  const familySettings = (family: RouteSpec['family'], addresses: string[]): string[] => {
    const key = family === 'ipv4' ? 'ipv4' : 'ipv6';
    if (addressing.mode === 'dhcp') return [`${key}.method`, 'auto'];
    if (addresses.length === 0) return [`${key}.method`, family === 'ipv4' ? 'disabled' : 'ignore'];
    const via = gateway(family);
    const extra = routes(family);
    return [
      `${key}.method`, 'manual',
      `${key}.addresses`, addresses.join(','),
      ...(via ? [`${key}.gateway`, via] : []),
      ...(extra ? [`${key}.routes`, extra] : []),
    ];
  };
  return [
    [
      'connection', 'add', 'type', 'bridge', 'con-name', names.bridge, 'ifname', spec.bridge,
      'bridge.stp', spec.stp ? 'yes' : 'no',
      ...(spec.stp ? ['bridge.forward-delay', '4'] : []),
      ...(spec.mac ? ['bridge.mac-address', spec.mac] : []),
      ...familySettings('ipv4', ipv4),
      ...familySettings('ipv6', ipv6),
    ],
    [
      'connection', 'add', 'type', 'bridge-slave', 'con-name', names.port, 'ifname', spec.port,
      'master', spec.bridge,
      // Above the default 0, so at boot NetworkManager picks the port profile over the NIC's old one.
      'connection.autoconnect-priority', '100',
    ],
  ];
}

export function networkManagerRemoveCommands(bridge: string, port: string): string[][] {
  const names = networkManagerProfileNames(bridge, port);
  return [['connection', 'delete', names.port, names.bridge]];
}

/** What runs the host's network, from whether each manager's runtime state exists. */
export interface ManagerPresence {
  networkManager: boolean;
  networkd: boolean;
}

export interface ManagerDetection {
  manager: NetworkManagerKind;
  warnings: string[];
}

export function chooseManager(presence: ManagerPresence): ManagerDetection {
  if (presence.networkManager && presence.networkd) {
    return {
      manager: 'networkmanager',
      warnings: [
        'NetworkManager and systemd-networkd both run: they fight over the same links. Switchyard writes NetworkManager profiles; make sure networkd does not manage this NIC (or disable one of them).',
      ],
    };
  }
  if (presence.networkManager) {
    return {
      manager: 'networkmanager',
      warnings: ['NetworkManager manages this host: until the profiles are written it may undo manual changes to the NIC.'],
    };
  }
  if (presence.networkd) {
    return {
      manager: 'networkd',
      warnings: ['systemd-networkd manages this host: a .network file matching the NIC with a lower number would win over Switchyard\'s.'],
    };
  }
  return {
    manager: 'none',
    warnings: [
      'Neither NetworkManager nor systemd-networkd runs here: the bridge will not survive a reboot. Switchyard can write systemd-networkd files; enable them with "systemctl enable --now systemd-networkd".',
    ],
  };
}

/** Runtime paths whose existence shows a manager is running, relative to the root. */
export const MANAGER_RUNTIME_PATHS = {
  networkManager: 'run/NetworkManager',
  networkd: 'run/systemd/netif/state',
} as const;

/** Shows a file's path as the user knows it. */
export function displayPath(path: string): string {
  return `/${path}`;
}
