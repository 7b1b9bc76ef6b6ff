// Edits of a Compose file, as a careful person would make them: create a network under `networks:`,
// attach a service to a network, publish a port on a service. Only the lines that must change are
// written; comments, layout and each collection's block or flow style stay. Text in, text out (the
// extension turns the difference into the WorkspaceEdit it applies, so undo works).
import { isMap, isSeq, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { childStep, column, findPair, indentStep, isFlow, isNull, lineStart, nextLineStart, pairEnd, range, scalarText, topPair } from '../edit/layout';
import { addEntry, appendToSeq, insertInFlow, insertLines, placeSection } from '../edit/primitives';
import { editTarget, YamlEditError, type TextSplice } from '../edit/splice';
import type { NewNetwork } from '../edit/networks';
import { blockLines, flow, quoted, scalar, type Body, type Value } from '../edit/values';

/** A network under `networks:`, with the options a topology file's network takes (no host: Compose has one). */
export type NewComposeNetwork = Omit<NewNetwork, 'name' | 'host'> & {
  /** The key under `networks:` (Docker names it `<project>_<key>`). */
  key: string;
};

export interface AttachOptions {
  ipv4Address?: string;
  ipv6Address?: string;
  aliases?: string[];
}

/** Docker's rule for network names (a key becomes part of one). */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Adds a network under the top-level `networks:` (made, after `services:`, when missing). */
export function addComposeNetwork(text: string, net: NewComposeNetwork): string {
  const { doc } = target(text);
  if (!NAME.test(net.key)) throw new YamlEditError(`"${net.key}" is not a valid network name: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed.`);
  const section = topPair(doc, 'networks');
  if (section && !isNull(section.value) && !isMap(section.value)) throw new YamlEditError('`networks:` is not a mapping in the file; fix it in the editor first.');
  if (section && findPair(section.value, net.key)) throw new YamlEditError(`The file already has a network "${net.key}".`);
  const step = indentStep(text, doc);
  if (!section) return splice(text, [insertTopLevel(text, doc, ['networks:', ...networkLines(net, step, step)])]);
  const map = section.value as YAMLMap<Node, Node | null> | null;
  if (map && isFlow(map)) return splice(text, [insertInFlow(text, map, `${scalar(net.key)}: ${networkFlow(net)}`)]);
  const items = map?.items ?? [];
  const last = items[items.length - 1];
  const col = last ? column(text, range(last.key)[0]) : column(text, range(section.key)[0]) + step;
  const at = last ? pairEnd(text, last) : pairEnd(text, section);
  return splice(text, [insertLines(text, at, networkLines(net, col, childStep(text, items) ?? step))]);
}

/**
 * Attaches a service to a network. A service with no `networks:` is on `default`, so `default` is
 * written too (or it would leave it). A short list stays a list; when options are needed (an address,
 * aliases) it becomes a map, item by item, keeping comments.
 */
export function attachServiceToNetwork(text: string, service: string, network: string, options: AttachOptions = {}): string {
  const { doc } = target(text);
  const svc = servicePair(doc, service);
  if (!isMap(svc.value)) throw new YamlEditError(`services.${service} is not a mapping in the file; fix it in the editor first.`);
  const declared = findPair(topPair(doc, 'networks')?.value, network);
  if (!declared && network !== 'default') throw new YamlEditError(`service "${service}" refers to undefined network ${network}: invalid compose project`);
  if (findPair(svc.value, 'network_mode')) throw new YamlEditError(`service ${service} declares mutually exclusive \`network_mode\` and \`networks\`: invalid compose project`);
  const body = attachBody(options);
  const nets = findPair(svc.value, 'networks');
  if (!nets || isNull(nets.value)) {
    const value: Value = body ? [['default', null], [network, body]] : ['default', network];
    if (network === 'default') throw new YamlEditError(`"${service}" is already on the network default.`);
    if (nets) return splice(text, [rewritePair(text, nets, value, indentStep(text, doc))]);
    return splice(text, [addEntry(text, svc, 'networks', value)]);
  }
  if (isSeq(nets.value)) {
    const seq = nets.value as YAMLSeq<Node>;
    const names = seq.items.map(scalarText);
    if (names.includes(network)) throw new YamlEditError(`"${service}" is already on the network ${network}.`);
    if (!body) return splice(text, [appendToSeq(text, nets, network)]);
    return splice(text, seqToMap(text, seq, names, network, body, indentStep(text, doc)));
  }
  if (isMap(nets.value)) {
    if (findPair(nets.value, network)) throw new YamlEditError(`"${service}" is already on the network ${network}.`);
    return splice(text, [addEntry(text, nets, network, body ?? null)]);
  }
  throw new YamlEditError(`services.${service}.networks is neither a list nor a mapping; fix it in the editor first.`);
}

/** Publishes a port on a service (`ports:` gets the entry, as Docker's -p text, quoted as Compose advises). */
export function publishServicePort(text: string, service: string, port: string): string {
  const { doc } = target(text);
  const spec = port.trim();
  if (!/^[0-9a-fA-F.:[\]/-]+(\/(tcp|udp|sctp))?$/.test(spec)) throw new YamlEditError(`invalid port "${port}": use HOST:CONTAINER, IP:HOST:CONTAINER or CONTAINER, with an optional /tcp, /udp or /sctp`);
  const svc = servicePair(doc, service);
  if (!isMap(svc.value)) throw new YamlEditError(`services.${service} is not a mapping in the file; fix it in the editor first.`);
  const ports = findPair(svc.value, 'ports');
  if (!ports || isNull(ports.value)) {
    if (ports) return splice(text, [rewritePair(text, ports, [quoted(spec)], indentStep(text, doc))]);
    return splice(text, [addEntry(text, svc, 'ports', [quoted(spec)])]);
  }
  if (!isSeq(ports.value)) throw new YamlEditError(`services.${service}.ports is not a list in the file; fix it in the editor first.`);
  if ((ports.value as YAMLSeq<Node>).items.some((i) => scalarText(i) === spec)) throw new YamlEditError(`"${service}" already publishes ${spec}.`);
  return splice(text, [appendToSeq(text, ports, quoted(spec))]);
}

// ---- helpers

function target(text: string): { doc: Document } {
  const t = editTarget(text);
  return { doc: t.doc };
}

function servicePair(doc: Document, name: string): Pair<Node, Node | null> {
  const pair = findPair(topPair(doc, 'services')?.value, name);
  if (!pair) throw new YamlEditError(`The file has no service "${name}".`);
  return pair;
}

/** Applies splices (non-overlapping) from the last to the first. */
function splice(text: string, splices: TextSplice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/** A `key:` written with nothing under it, written again with a value (its lines replaced). */
function rewritePair(text: string, pair: Pair<Node, Node | null>, value: Value, step: number): TextSplice {
  const keyStart = range(pair.key)[0];
  const from = lineStart(text, keyStart);
  return { start: from, end: pairEnd(text, pair), text: `${blockLines(scalarText(pair.key), value, keyStart - from, step, false).join('\n')}\n` };
}

function attachBody(o: AttachOptions): Body | undefined {
  const body: Body = [];
  if (o.ipv4Address) body.push(['ipv4_address', o.ipv4Address]);
  if (o.ipv6Address) body.push(['ipv6_address', o.ipv6Address]);
  if (o.aliases?.length) body.push(['aliases', o.aliases]);
  return body.length ? body : undefined;
}

/**
 * A short list of networks → a map, for an entry with options. Block: each `- name` becomes `name:` in
 * place (its comment stays), the new entry goes after the last. Flow: the list becomes a flow map.
 */
function seqToMap(text: string, seq: YAMLSeq<Node>, names: string[], network: string, body: Body, step: number): TextSplice[] {
  if (isFlow(seq)) {
    const [s, e] = range(seq as unknown as Node);
    const entries = [...names.map((n) => `${scalar(n)}: {}`), `${scalar(network)}: ${flow(body)}`];
    return [{ start: s, end: e, text: `{ ${entries.join(', ')} }` }];
  }
  const out: TextSplice[] = [];
  let col = 0;
  let end = 0;
  for (const item of seq.items) {
    const [s, e] = range(item);
    const dash = text.lastIndexOf('-', s);
    col = column(text, dash);
    out.push({ start: dash, end: e, text: `${scalarText(item)}:` });
    end = text[e - 1] === '\n' ? e : nextLineStart(text, e);
  }
  out.push(insertLines(text, end, blockLines(network, body, col, step, false)));
  return out;
}

function networkBody(net: NewComposeNetwork): { scalars: Body; pool: [string, Value][]; ipamDriver?: string } {
  const scalars: Body = [];
  if (net.driver) scalars.push(['driver', net.driver]);
  if (net.driverOpts && Object.keys(net.driverOpts).length) scalars.push(['driver_opts', Object.entries(net.driverOpts).map(([k, v]) => [k, quoted(v)] as [string, Value])]);
  if (net.internal) scalars.push(['internal', true]);
  if (net.attachable) scalars.push(['attachable', true]);
  if (net.enableIpv6) scalars.push(['enable_ipv6', true]);
  if (net.labels && Object.keys(net.labels).length) scalars.push(['labels', Object.entries(net.labels).map(([k, v]) => [k, quoted(v)] as [string, Value])]);
  const pool: [string, Value][] = [];
  if (net.subnet) pool.push(['subnet', net.subnet]);
  if (net.ipRange) pool.push(['ip_range', net.ipRange]);
  if (net.gateway) pool.push(['gateway', net.gateway]);
  if (net.auxAddresses && Object.keys(net.auxAddresses).length) pool.push(['aux_addresses', Object.entries(net.auxAddresses).map(([k, v]) => [k, v] as [string, Value])]);
  return net.ipamDriver ? { scalars, pool, ipamDriver: net.ipamDriver } : { scalars, pool };
}

/** The block lines of a new network at `indent`: `key: {}` when it has no settings. */
function networkLines(net: NewComposeNetwork, indent: number, step: number): string[] {
  const { scalars, pool, ipamDriver } = networkBody(net);
  const pad = (n: number) => ' '.repeat(n);
  if (scalars.length === 0 && pool.length === 0 && !ipamDriver) return [`${pad(indent)}${scalar(net.key)}: {}`];
  const lines = [`${pad(indent)}${scalar(net.key)}:`, ...scalars.flatMap(([k, v]) => blockLines(k, v, indent + step, step, false))];
  if (pool.length || ipamDriver) {
    lines.push(`${pad(indent + step)}ipam:`);
    if (ipamDriver) lines.push(`${pad(indent + 2 * step)}driver: ${scalar(ipamDriver)}`);
  }
  if (pool.length) {
    lines.push(`${pad(indent + 2 * step)}config:`);
    // The pool's keys sit under the list item's dash: a nested map (aux_addresses) one step deeper than them.
    const col = indent + 3 * step + 2;
    pool.forEach(([k, v], i) => {
      const block = blockLines(k, v, col, step, false);
      block[0] = `${pad(indent + 3 * step)}${i === 0 ? '- ' : '  '}${block[0]!.slice(col)}`;
      lines.push(...block);
    });
  }
  return lines;
}

function networkFlow(net: NewComposeNetwork): string {
  const { scalars, pool, ipamDriver } = networkBody(net);
  const parts = scalars.map(([k, v]) => `${scalar(k)}: ${flow(v)}`);
  const ipam = [ipamDriver ? `driver: ${scalar(ipamDriver)}` : '', pool.length ? `config: [{ ${pool.map(([k, v]) => `${k}: ${flow(v)}`).join(', ')} }]` : ''].filter(Boolean);
  if (ipam.length) parts.push(`ipam: { ${ipam.join(', ')} }`);
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}

/** A new top-level section: after `services:` (and any other sections before volumes, secrets, configs, x-…), else at the end. */
function insertTopLevel(text: string, doc: Document, lines: string[]): TextSplice {
  const top = isMap(doc.contents) ? (doc.contents as YAMLMap<Node, Node | null>).items : [];
  const next = top.find((p) => ['volumes', 'secrets', 'configs'].includes(scalarText(p.key)) || scalarText(p.key).startsWith('x-'));
  return placeSection(text, (next?.key as Node | undefined) ?? null, lines);
}
