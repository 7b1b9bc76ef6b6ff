// Edits of the containers section: add (run), remove, connect to and disconnect from a network, and
// what else in the file names a container.
import { isMap, isSeq, type YAMLMap } from 'yaml';
import { asMap, containerPair, findPair, isNull, scalarText, topPair } from './layout';
import { addEntry, appendToSeq, insertSection, removeEntry, removeSeqItem, replacePair } from './primitives';
import { applySplice, editTarget, YamlEditError, type EditTarget, type TextSplice } from './splice';
import { isModeName, quoted, type Body, type Value } from './values';

export interface EndpointOptions {
  ipv4Address?: string;
  ipv6Address?: string;
  aliases?: string[];
}

export interface NewContainer {
  name: string;
  image: string;
  host?: string;
  /** A network name, or host / none / container:<name>; absent or "bridge": the default bridge. */
  network?: string;
  ports?: string[];
  expose?: string[];
  /** What its processes listen on, when not the default (expose and the published container ports). */
  listen?: string[];
  /** -P: every exposed port on a host port Docker picks. */
  publishAll?: boolean;
}

export interface ConnectHow {
  /**
   * A container on the default bridge only because it names no network (neither `networks` nor
   * `network_mode`) leaves it for the new network. Off by default: it stays on the default bridge, as
   * `docker network connect` leaves it there; the quick fix that gives two containers a shared network
   * (where names resolve) moves them instead.
   */
  leaveDefaultBridge?: boolean;
}

export function addContainerEdit({ text, doc }: EditTarget, c: NewContainer): TextSplice {
  const body: Body = [['image', c.image]];
  if (c.host) body.push(['host', c.host]);
  if (c.network && c.network !== 'bridge') {
    if (isModeName(c.network)) body.push(['network_mode', c.network]);
    else body.push(['networks', [c.network]]);
  }
  if (c.ports?.length) body.push(['ports', c.ports.map(quoted)]);
  if (c.expose?.length) body.push(['expose', c.expose.map(quoted)]);
  if (c.publishAll) body.push(['publish_all', true]);
  if (c.listen) body.push(['listen', c.listen.map(quoted)]);
  const section = topPair(doc, 'containers');
  if (!section) return insertSection(text, doc, 'containers', [[c.name, body]], ['services', 'expect']);
  if (findPair(section.value, c.name)) throw new YamlEditError(`The file already has a container named "${c.name}".`);
  return addEntry(text, section, c.name, body, true);
}

/**
 * Connect a container to a network: the file says it with the container's `networks` (a container
 * that had none was on the default bridge, and stays on it unless `how` says otherwise).
 */
export function connectContainerEdit({ text, doc }: EditTarget, container: string, network: string, opts: EndpointOptions = {}, how: ConnectHow = {}): TextSplice {
  const entry = containerPair(doc, container);
  // `name:` with nothing under it is a container on the default bridge.
  const cmap = isNull(entry.value) ? undefined : asMap(entry.value, `container "${container}"`);
  const options = endpointBody(opts);
  const networks = cmap && findPair(cmap, 'networks');
  const mode = cmap && findPair(cmap, 'network_mode');
  if (!networks) {
    const written = mode ? scalarText(mode.value) : 'bridge';
    const current = written === 'default' ? 'bridge' : written;
    if (isModeName(current) && current !== 'bridge') {
      throw new YamlEditError(`"${container}" uses network_mode: ${current}; a container in that mode cannot be connected to other networks.`);
    }
    if (current === network) throw new YamlEditError(`"${container}" is already on "${network}".`);
    const value: Value = how.leaveDefaultBridge && !mode
      ? (options.length ? [[network, options]] : [network])
      : (options.length ? [[current, null], [network, options]] : [current, network]);
    // network_mode: X becomes networks: [X, new] where it stood; otherwise `networks:` is added.
    return mode ? replacePair(text, cmap!, mode, 'networks', value) : addEntry(text, entry, 'networks', value);
  }
  const list = networks.value;
  if (isSeq(list)) {
    const names = list.items.map((i) => scalarText(i));
    if (names.includes(network)) throw new YamlEditError(`"${container}" is already on "${network}".`);
    if (!options.length) return appendToSeq(text, networks, network);
    // Options need the map form: the list is rewritten as a map, in the same order.
    return replacePair(text, cmap!, networks, 'networks', [...names.map((n): [string, Value] => [n, null]), [network, options]]);
  }
  if (isMap(list) || isNull(list)) {
    if (isMap(list) && findPair(list, network)) throw new YamlEditError(`"${container}" is already on "${network}".`);
    if (isNull(list)) return replacePair(text, cmap!, networks, 'networks', options.length ? [[network, options]] : [network]);
    return addEntry(text, networks, network, options.length ? options : null);
  }
  throw new YamlEditError(`The networks of "${container}" are neither a list nor a map; fix them in the editor first.`);
}

/** Disconnect a container from a network. A container left with no network keeps only loopback (network_mode: none). */
export function disconnectContainerEdit({ text, doc }: EditTarget, container: string, network: string): TextSplice {
  const entry = containerPair(doc, container);
  const cmap = asMap(entry.value, `container "${container}"`);
  const networks = findPair(cmap, 'networks');
  const mode = findPair(cmap, 'network_mode');
  const notOn = () => new YamlEditError(`"${container}" is not connected to "${network}" in this file.`);
  if (!networks) {
    const current = mode ? scalarText(mode.value) : 'bridge';
    if (current !== network) throw notOn();
    if (isModeName(current) && current !== 'bridge') {
      throw new YamlEditError(`"${container}" uses network_mode: ${current}; Docker cannot disconnect it from that network.`);
    }
    return mode ? replacePair(text, cmap, mode, 'network_mode', 'none') : addEntry(text, entry, 'network_mode', 'none');
  }
  const list = networks.value;
  if (isSeq(list)) {
    const index = list.items.findIndex((i) => scalarText(i) === network);
    if (index < 0) throw notOn();
    if (list.items.length === 1) return replacePair(text, cmap, networks, 'network_mode', 'none');
    return removeSeqItem(text, list, index);
  }
  if (isMap(list)) {
    const pair = findPair(list, network);
    if (!pair) throw notOn();
    if (list.items.length === 1) return replacePair(text, cmap, networks, 'network_mode', 'none');
    return removeEntry(text, list, pair);
  }
  throw notOn();
}

/** Removes a container's entry (docker rm -f); what refers to it elsewhere is left for the user to see. */
export function removeContainerEdit({ text, doc }: EditTarget, name: string): TextSplice {
  const pair = containerPair(doc, name);
  return removeEntry(text, topPair(doc, 'containers')!.value as YAMLMap, pair);
}

export function addContainer(text: string, c: NewContainer): string {
  return applySplice(text, addContainerEdit(editTarget(text), c));
}

export function connectContainer(text: string, container: string, network: string, opts: EndpointOptions = {}, how: ConnectHow = {}): string {
  return applySplice(text, connectContainerEdit(editTarget(text), container, network, opts, how));
}

export function disconnectContainer(text: string, container: string, network: string): string {
  return applySplice(text, disconnectContainerEdit(editTarget(text), container, network));
}

export function removeContainer(text: string, name: string): string {
  return applySplice(text, removeContainerEdit(editTarget(text), name));
}

/** What in the file still names `container`: its `container:` joiners and the expect entries from or to it. */
export function referencesToContainer(text: string, container: string): { joiners: string[]; expects: number } {
  const { doc } = editTarget(text);
  const section = topPair(doc, 'containers');
  const joiners: string[] = [];
  if (section && isMap(section.value)) {
    for (const item of section.value.items) {
      const mode = isMap(item.value) ? findPair(item.value, 'network_mode') : undefined;
      if (mode && scalarText(mode.value) === `container:${container}`) joiners.push(scalarText(item.key));
    }
  }
  const expect = topPair(doc, 'expect')?.value;
  const named = (v: string) => v === container || v.startsWith(`${container}:`) || v.startsWith(`${container}/`);
  const expects = isSeq(expect)
    ? expect.items.filter((e) => isMap(e) && ['from', 'to'].some((k) => named(scalarText(findPair(e, k)?.value)))).length
    : 0;
  return { joiners, expects };
}

function endpointBody(o: EndpointOptions): Body {
  const body: Body = [];
  if (o.ipv4Address) body.push(['ipv4_address', o.ipv4Address]);
  if (o.ipv6Address) body.push(['ipv6_address', o.ipv6Address]);
  if (o.aliases?.length) body.push(['aliases', o.aliases]);
  return body;
}
