// What "Create Network" asks after the driver: the fields that driver takes, made from its descriptor
// (src/engine/drivers/<name>/index.ts: its driver_opts with their docs and values) and the network keys
// Docker takes for it (IPAM for drivers with addresses, attachable/ingress for swarm-scope ones). The
// form keeps its answers in a NewNetwork; the engine has the last word (checkNetworkOnEngine plays the
// network on a copy of the file). Pure: no `vscode`, unit-tested.
import { parseCidr, parseIp, type DriverDescriptor } from '../engine';
import type { LoadedTopology } from '../topology';
import { addNetwork, type NewNetwork } from '../topology/edit';
import { planChange } from './topologyChanges';

export interface NetworkField {
  /** `ip_range`, `aux_addresses`, `ipam_driver`, `internal`, `attachable`, `ingress`, `enable_ipv6`, `labels`, `opt:<key>`, `driver_opts`. */
  id: string;
  /** As the user knows it: the file's key or the `-o` key. */
  label: string;
  /** One line (the descriptor's docs, without Markdown). */
  description: string;
  kind: 'text' | 'cidr' | 'boolean' | 'integer' | 'choice' | 'pairs';
  values?: readonly string[];
  /** An example, for the input box. */
  placeholder?: string;
}

export interface FormPlace {
  /** A Compose file: what Compose's `networks:` takes (no ingress; labels; the IPAM driver always offered). */
  compose?: boolean;
  /** IPAM drivers besides `default` the engine has (plug-ins'). */
  ipamDrivers?: readonly string[];
}

/** The fields of a network of `driver` (descriptor: the driver's; undefined for a plug-in without one). */
export function networkFields(driver: string, descriptor: DriverDescriptor | undefined, place: FormPlace = {}): NetworkField[] {
  // The driver's own options first (macvlan's parent is what its users come for), then Docker's keys.
  const fields: NetworkField[] = (descriptor?.options ?? []).map((o) => ({
    id: `opt:${o.name}`, label: o.name, kind: o.values ? 'choice' : o.accepts === 'boolean' ? 'boolean' : o.accepts === 'integer' ? 'integer' : 'text',
    ...(o.values ? { values: o.values } : {}), description: plain(o.description),
  }));
  const special = descriptor?.special === true;
  if (!special) {
    fields.push({ id: 'ip_range', label: 'ip_range', kind: 'cidr', placeholder: 'e.g. 10.30.0.128/25', description: 'Allocate container addresses from this part of the subnet only (--ip-range).' });
    fields.push({ id: 'aux_addresses', label: place.compose ? 'ipam.config aux_addresses' : 'aux_addresses', kind: 'pairs', placeholder: 'e.g. router=10.30.0.254, printer=10.30.0.253', description: 'Addresses IPAM must never hand out (--aux-address name=address).' });
    const ipam = ['default', ...(place.ipamDrivers ?? []).filter((d) => d !== 'default')];
    // A topology file shows the choice once a plug-in brought a second driver; a Compose file always has the key.
    if (ipam.length > 1 || place.compose) fields.push({ id: 'ipam_driver', label: 'ipam.driver', kind: 'choice', values: ipam, description: 'The IPAM driver that hands out subnets and addresses (--ipam-driver).' });
    fields.push({ id: 'internal', label: 'internal', kind: 'boolean', description: 'No route out of the network: no gateway to the outside, no NAT (--internal).' });
    fields.push({ id: 'enable_ipv6', label: 'enable_ipv6', kind: 'boolean', description: 'An IPv6 subnet too (--ipv6).' });
  }
  if (descriptor?.scope === 'swarm') {
    fields.push({ id: 'attachable', label: 'attachable', kind: 'boolean', description: 'Standalone containers (docker run) may join, not only services (--attachable).' });
    if (!place.compose) fields.push({ id: 'ingress', label: 'ingress', kind: 'boolean', description: 'The routing-mesh network of the swarm; replaces the default `ingress` (--ingress).'.replace(/`/g, '') });
  }
  if (place.compose) fields.push({ id: 'labels', label: 'labels', kind: 'pairs', placeholder: 'e.g. team=payments, tier=back', description: 'Metadata on the network (--label key=value).' });
  // A driver without a descriptor (a plug-in the engine knows by name only): its options as typed.
  if (!descriptor && driver) fields.push({ id: 'driver_opts', label: 'driver_opts', kind: 'pairs', placeholder: 'e.g. key=value, other=value', description: 'The plug-in\'s options (-o key=value).' });
  return fields;
}

function plain(markdown: string): string {
  return markdown.replace(/`/g, '');
}

/** The field's value in `net`, as the form shows it; undefined when not set. */
export function fieldValue(net: NewNetwork, f: NetworkField): string | undefined {
  switch (f.id) {
    case 'ip_range': return net.ipRange;
    case 'aux_addresses': return net.auxAddresses && Object.keys(net.auxAddresses).length ? pairsText(net.auxAddresses) : undefined;
    case 'ipam_driver': return net.ipamDriver;
    case 'internal': return net.internal ? 'true' : undefined;
    case 'enable_ipv6': return net.enableIpv6 ? 'true' : undefined;
    case 'attachable': return net.attachable ? 'true' : undefined;
    case 'ingress': return net.ingress ? 'true' : undefined;
    case 'driver_opts': return net.driverOpts && Object.keys(net.driverOpts).length ? pairsText(net.driverOpts) : undefined;
    case 'labels': return net.labels && Object.keys(net.labels).length ? pairsText(net.labels) : undefined;
    default: return f.id.startsWith('opt:') ? net.driverOpts?.[f.id.slice(4)] : undefined;
  }
}

/** Why `raw` cannot be this field's value (the wording Docker's CLI or daemon uses), or undefined. Empty clears the field. */
export function checkFieldValue(f: NetworkField, raw: string): string | undefined {
  const v = raw.trim();
  if (v === '') return undefined;
  switch (f.kind) {
    case 'cidr': return parseCidr(v) ? undefined : `invalid CIDR address: ${v}`;
    case 'integer': return /^-?\d+$/.test(v) ? undefined : `${f.label}: an integer, e.g. 1450 (got "${v}")`;
    case 'boolean': return v === 'true' || v === 'false' ? undefined : `${f.label}: true or false`;
    case 'choice': return f.values?.includes(v) ? undefined : `${f.label}: one of ${f.values?.join(', ')}`;
    case 'pairs': {
      const pairs = parsePairs(v);
      if (typeof pairs === 'string') return pairs;
      if (f.id === 'aux_addresses') {
        for (const [k, a] of Object.entries(pairs)) if (!parseIp(a)) return `non parsable secondary ip address (${k}:${a})`;
      }
      return undefined;
    }
    default: return undefined;
  }
}

/** Sets (or, with an empty value, clears) the field in `net`; the value must have passed checkFieldValue. */
export function setFieldValue(net: NewNetwork, f: NetworkField, raw: string): void {
  const v = raw.trim();
  const flag = v === 'true' ? true : undefined;
  switch (f.id) {
    case 'ip_range': net.ipRange = v || undefined; return;
    case 'aux_addresses': {
      const pairs = v ? parsePairs(v) : {};
      net.auxAddresses = typeof pairs === 'object' && Object.keys(pairs).length ? pairs : undefined;
      return;
    }
    case 'ipam_driver': net.ipamDriver = v && v !== 'default' ? v : undefined; return;
    case 'labels': {
      const pairs = v ? parsePairs(v) : {};
      net.labels = typeof pairs === 'object' && Object.keys(pairs).length ? pairs : undefined;
      return;
    }
    case 'internal': net.internal = flag; return;
    case 'enable_ipv6': net.enableIpv6 = flag; return;
    case 'attachable': net.attachable = flag; return;
    case 'ingress': net.ingress = flag; return;
    case 'driver_opts': {
      const pairs = v ? parsePairs(v) : {};
      setOpts(net, typeof pairs === 'object' ? pairs : {});
      return;
    }
  }
  if (f.id.startsWith('opt:')) {
    const key = f.id.slice(4);
    const opts = { ...net.driverOpts };
    // A boolean option set to false is Docker's default: leave it out rather than write "false".
    if (v && !(f.kind === 'boolean' && v === 'false')) opts[key] = v;
    else delete opts[key];
    setOpts(net, opts);
  }
}

function setOpts(net: NewNetwork, opts: Record<string, string>): void {
  net.driverOpts = Object.keys(opts).length ? opts : undefined;
}

/** Forgets what `fields` (the new driver's) do not offer: answers given for another driver before Back. */
export function keepOnly(net: NewNetwork, fields: readonly NetworkField[]): void {
  const ids = new Set(fields.map((f) => f.id));
  for (const id of ['ip_range', 'aux_addresses', 'ipam_driver', 'internal', 'enable_ipv6', 'attachable', 'ingress', 'labels']) {
    if (!ids.has(id)) setFieldValue(net, { id, label: id, kind: 'text', description: '' }, '');
  }
  if (!ids.has('driver_opts') && net.driverOpts) {
    setOpts(net, Object.fromEntries(Object.entries(net.driverOpts).filter(([k]) => ids.has(`opt:${k}`))));
  }
}

/** "key=value, key2=value2" → a record; a message when an item has no `=`. */
export function parsePairs(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const item of text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0) return `"${item}" is not key=value`;
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function pairsText(r: Record<string, string>): string {
  return Object.entries(r).map(([k, v]) => `${k}=${v}`).join(', ');
}

/** One line saying what the form will create, as a docker command's flags read. */
export function networkSummary(net: NewNetwork): string {
  const parts = [`--driver ${net.driver ?? 'bridge'}`];
  if (net.subnet) parts.push(`--subnet ${net.subnet}`);
  if (net.gateway) parts.push(`--gateway ${net.gateway}`);
  if (net.ipRange) parts.push(`--ip-range ${net.ipRange}`);
  for (const [k, v] of Object.entries(net.auxAddresses ?? {})) parts.push(`--aux-address ${k}=${v}`);
  if (net.ipamDriver) parts.push(`--ipam-driver ${net.ipamDriver}`);
  if (net.internal) parts.push('--internal');
  if (net.enableIpv6) parts.push('--ipv6');
  if (net.attachable) parts.push('--attachable');
  if (net.ingress) parts.push('--ingress');
  for (const [k, v] of Object.entries(net.driverOpts ?? {})) parts.push(`-o ${k}=${v}`);
  for (const [k, v] of Object.entries(net.labels ?? {})) parts.push(`--label ${k}=${v}`);
  return `${parts.join(' ')} ${net.name}`;
}

/**
 * The engine's word on the network as the form has it: the file with it added, played on a fresh engine;
 * Docker's error (new with this network), or undefined when Docker would create it.
 */
export function checkNetworkOnEngine(text: string, loaded: LoadedTopology, net: NewNetwork): string | undefined {
  const plan = planChange(text, (t) => addNetwork(t, net), loaded);
  return plan.ok ? undefined : plan.error;
}
