// Screen-reader labels for the diagram's nodes: what a sighted user reads off a box, in one sentence.
import type { DiagramNetwork, DiagramPort, DiagramSandbox } from '../src/protocol/diagram';

export function sandboxLabel(sb: DiagramSandbox, nets: Map<string, DiagramNetwork>): string {
  const names = [sb.name, ...sb.sharedBy.map((m) => m.name)].join(' and ');
  if (sb.mode === 'ingress') {
    const legs = sb.endpoints.map((e) => `${e.ifname} ${e.ipv4 ?? 'no address'} on ${nets.get(e.networkId)?.name ?? 'a network'}`).join('; ');
    return `ingress-sbox, the routing mesh's namespace${legs ? `: ${legs}` : ''}${sb.listening.length ? `; IPVS for ${sb.listening.join(', ')}` : ''}`;
  }
  const mode = sb.mode === 'host' ? ', host network namespace' : sb.mode === 'none' ? ', loopback only' : sb.mode === 'stopped' ? ', not running' : '';
  const ifs = sb.endpoints.map((e) => `${e.ifname} ${e.ipv4 ?? e.ipv6 ?? (e.addressUnknown ? 'unknown address' : 'no address')} on ${nets.get(e.networkId)?.name ?? 'a network'}`).join('; ');
  return `container ${names}${mode}${ifs ? `: ${ifs}` : ''}${sb.listening.length ? `; listens on ${sb.listening.join(', ')}` : ''}`;
}

export function busLabel(n: DiagramNetwork): string {
  return `network ${n.name}, ${n.driver}${n.internal ? ', internal' : ''}${n.subnet ? `, ${n.subnet}` : n.addressesUnknown ? ', subnet unknown' : ''}${n.gateway ? `, gateway ${n.gateway}` : ''}`;
}

export function portLabel(p: DiagramPort, container: string): string {
  return `published port ${p.hostIp}:${p.hostPort}/${p.proto} to ${container} port ${p.containerPort}`;
}
