// `services:` — swarm services (replicas, VIP or DNS round robin, published ports on the routing mesh).
import { isMap, isSeq } from 'yaml';
import type { Field, ParseContext } from '../reader';
import { SERVICE_KEYS, SERVICE_NETWORK_KEYS } from '../schema';
import type { ServiceSpec } from '../spec';
import { readExpose, readListen, readPorts } from './ports';

export function parseServices(ctx: ParseContext, section: Field | undefined): ServiceSpec[] {
  const out: ServiceSpec[] = [];
  for (const entry of (section && ctx.fields(section, 'services')) ?? []) out.push(parseService(ctx, entry));
  return out;
}

function parseService(ctx: ParseContext, entry: Field): ServiceSpec {
  const s: ServiceSpec = { name: entry.key, image: '', replicas: 1, networks: [], ports: [], endpointMode: 'vip', expose: [], path: entry.path };
  for (const f of ctx.fields(entry, `service "${entry.key}"`, SERVICE_KEYS) ?? []) {
    switch (f.key) {
      case 'image':
        s.image = ctx.string(f, 'image') ?? '';
        break;
      case 'replicas':
        s.replicas = ctx.int(f, 'replicas', 0, 10000) ?? 1;
        break;
      case 'networks':
        if (isSeq(f.value)) s.networks = ctx.stringList(f, 'networks').map((n) => n.value);
        else if (isMap(f.value)) {
          for (const n of ctx.fields(f, 'networks') ?? []) {
            ctx.fields(n, `the options of network "${n.key}"`, SERVICE_NETWORK_KEYS);
            s.networks.push(n.key);
          }
        } else ctx.items(f, 'networks'); // reports the wrong type
        break;
      case 'ports':
        s.ports = readPorts(ctx, f);
        break;
      case 'endpoint_mode':
        s.endpointMode = ctx.oneOf(f, 'endpoint_mode', ['vip', 'dnsrr'] as const) ?? 'vip';
        break;
      case 'expose':
        s.expose = readExpose(ctx, f);
        break;
      case 'listen':
        s.listen = readListen(ctx, f);
        break;
    }
  }
  return s;
}
