// Edits of the networks section: create and remove a network, and which containers are on one.
import { isMap, isSeq, type YAMLMap } from 'yaml';
import { findPair, scalarText, topPair } from './layout';
import { addEntry, insertSection, removeEntry } from './primitives';
import { applySplice, editTarget, YamlEditError, type EditTarget, type TextSplice } from './splice';
import { quoted, type Body, type Value } from './values';

export interface NewNetwork {
  name: string;
  driver?: string;
  /** Only written when the file has several hosts and this is not the first. */
  host?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  /** aux_addresses: addresses IPAM must not hand out (name → address). */
  auxAddresses?: Record<string, string>;
  internal?: boolean;
  /** A swarm's ingress network (overlay). */
  ingress?: boolean;
  attachable?: boolean;
  enableIpv6?: boolean;
  /** ipam.driver: an IPAM plug-in's name (absent: `default`). */
  ipamDriver?: string;
  driverOpts?: Record<string, string>;
  /** labels (written by the Compose form only: a topology file's networks take no labels). */
  labels?: Record<string, string>;
}

/** `networks:` gets the new network (the section is created, before containers, when missing). */
export function addNetworkEdit({ text, doc }: EditTarget, net: NewNetwork): TextSplice {
  const body = networkBody(net);
  const section = topPair(doc, 'networks');
  if (!section) return insertSection(text, doc, 'networks', [[net.name, body]], ['containers', 'services', 'expect']);
  if (findPair(section.value, net.name)) throw new YamlEditError(`The file already has a network named "${net.name}".`);
  return addEntry(text, section, net.name, body, true);
}

export function removeNetworkEdit({ text, doc }: EditTarget, name: string): TextSplice {
  const section = topPair(doc, 'networks');
  const pair = section && findPair(section.value, name);
  if (!section || !pair) throw new YamlEditError(`The file has no network named "${name}" (predefined networks like bridge cannot be removed).`);
  return removeEntry(text, section.value as YAMLMap, pair);
}

export function addNetwork(text: string, net: NewNetwork): string {
  return applySplice(text, addNetworkEdit(editTarget(text), net));
}

export function removeNetwork(text: string, name: string): string {
  return applySplice(text, removeNetworkEdit(editTarget(text), name));
}

/** The containers whose file entry connects them to `network` (by `networks` or `network_mode`). */
export function containersOnNetwork(text: string, network: string): string[] {
  const { doc } = editTarget(text);
  const section = topPair(doc, 'containers');
  if (!section || !isMap(section.value)) return [];
  const out: string[] = [];
  for (const item of section.value.items) {
    const name = scalarText(item.key);
    const cmap = item.value;
    if (!isMap(cmap)) {
      if (network === 'bridge') out.push(name);
      continue;
    }
    const networks = findPair(cmap, 'networks');
    const mode = findPair(cmap, 'network_mode');
    const names = !networks ? [mode ? scalarText(mode.value) : 'bridge']
      : isSeq(networks.value) ? networks.value.items.map((i) => scalarText(i))
        : isMap(networks.value) ? networks.value.items.map((p) => scalarText(p.key)) : [];
    if (names.includes(network)) out.push(name);
  }
  return out;
}

function networkBody(n: NewNetwork): Body {
  const body: Body = [['driver', n.driver ?? 'bridge']];
  if (n.host) body.push(['host', n.host]);
  if (n.subnet) body.push(['subnet', n.subnet]);
  if (n.gateway) body.push(['gateway', n.gateway]);
  if (n.ipRange) body.push(['ip_range', n.ipRange]);
  const aux = Object.entries(n.auxAddresses ?? {});
  if (aux.length) body.push(['aux_addresses', aux.map(([k, v]): [string, Value] => [k, v])]);
  // The Compose form's driver beside the short pool keys (the parser takes both: config stays short).
  if (n.ipamDriver) body.push(['ipam', [['driver', n.ipamDriver]]]);
  if (n.internal) body.push(['internal', true]);
  if (n.ingress) body.push(['ingress', true]);
  if (n.attachable) body.push(['attachable', true]);
  if (n.enableIpv6) body.push(['enable_ipv6', true]);
  const opts = Object.entries(n.driverOpts ?? {});
  // Driver options are strings for Docker: "false" quoted, or YAML would hand over a boolean.
  if (opts.length) body.push(['driver_opts', opts.map(([k, v]): [string, Value] => [k, quoted(v)])]);
  return body;
}
