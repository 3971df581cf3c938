// libvirt's refusals are precise but terse ("Network is already in use by interface virbr0").
// The user sees them verbatim, followed by what they mean in plain words and what to do.

const EXPLANATIONS: readonly (readonly [RegExp, string])[] = [
  [
    /already in use by interface (\S+)/i,
    'Another network or host interface ($1) already has an address in this subnet, so libvirt will not start a second one there. Choose a subnet nothing else uses.',
  ],
  [/bridge name '?([^' ]+)'? already in use|interface ([^ ]+) already exists|File exists/i, 'A link with this bridge name already exists on the host. Choose another bridge name, or leave it empty for libvirt to pick a free virbrN.'],
  [/already exists|is already defined|already in use by network/i, 'libvirt already has a network with this name (or UUID). Choose another name.'],
  [/Cannot get interface MTU on '?([^' ]+)'?|No such device/i, 'The host has no interface of that name. Pick an existing host bridge or uplink.'],
  [/dnsmasq/i, 'dnsmasq, which serves DHCP and DNS on the network, could not start with this configuration. Check the DHCP and DNS settings and any dnsmasq options in the XML.'],
  [/(permission|access) denied|authentication|not authori[sz]ed/i, 'Your user may not change libvirt networks. Run Switchyard as a user in the libvirt group, or as root.'],
  [/(XML|schema|unsupported configuration|could not convert|invalid|missing)/i, 'libvirt does not accept this network definition. Correct the part its message names.'],
  [/is not active|not running/i, 'The network is not running (anymore). Refresh and try again.'],
];

/** A plain-words reading of a libvirt refusal, for the hint under the verbatim message. */
export function explainLibvirtRefusal(message: string): string {
  for (const [pattern, explanation] of EXPLANATIONS) {
    const match = pattern.exec(message);
    if (match) return explanation.replace('$1', match[1] ?? 'another link');
  }
  return 'libvirt refused the change; its message above says why. Nothing was left half-done.';
}
