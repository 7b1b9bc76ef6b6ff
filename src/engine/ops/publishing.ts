// Published ports on the sandbox's gateway endpoint: programmed, moved when the gateway endpoint changes,
// revoked; and the sandbox's port bindings in dockerd's order.
import { DockerError, type ErrorHint, INTERNAL, msg } from '../errors';
import type { ContainerState, EndpointState, NetworkState, PortSpecBinding } from '../model';
import { PortBindingError } from '../ports/publish';
import type { EngineCore, HostInternals } from './core';

/** Revoke the ports from the old gateway endpoint and program them on the new one (a failure fails the join). */
export function moveExternalConnectivity(core: EngineCore, int: HostInternals, ctr: ContainerState, from: EndpointState | null, to: EndpointState | null): void {
  if (from) {
    const fromDriver = core.drivers.driver(from.networkDriver);
    const fromNet = networkOf(int, from);
    if (fromDriver && fromNet) fromDriver.revokeExternalConnectivity(int.ctx, fromNet, from);
    from.portBindings = [];
  }
  if (to && !to.networkInternal) programPorts(core, int, ctr, to, true);
}

export function programPorts(core: EngineCore, int: HostInternals, ctr: ContainerState, ep: EndpointState, strict: boolean): void {
  const driver = core.drivers.driver(ep.networkDriver);
  const net = networkOf(int, ep);
  if (!driver || !net) return;
  try {
    ep.portBindings = driver.programExternalConnectivity(int.ctx, net, ep, sandboxPortBindings(ctr));
  } catch (e) {
    if (!(e instanceof DockerError)) throw e;
    const wrapped = msg.externalConnectivity(ep.name, ep.id, e.message);
    const binding = e instanceof PortBindingError ? e.binding : null;
    const hint: ErrorHint = binding?.specIndex !== undefined ? { field: 'ports', index: binding.specIndex } : { field: binding ? 'expose' : 'ports' };
    if (strict) throw new DockerError(wrapped, INTERNAL, hint);
    ctr.runtimeWarnings.push(wrapped);
    ep.portBindings = [];
  }
}

function networkOf(int: HostInternals, ep: EndpointState): NetworkState | undefined {
  return int.ctx.host.networks.get(ep.networkId);
}

/**
 * The sandbox's port bindings (buildSandboxOptions + nat.SortPortMap): bound ports sorted by host port,
 * then container port, descending, tcp first; with -P every exposed port without a binding gets an
 * ephemeral one.
 */
export function sandboxPortBindings(ctr: ContainerState): PortSpecBinding[] {
  // Nothing published and no -P: exposed ports alone bind nothing (the common case, kept cheap).
  if (ctr.portSpecs.length === 0 && !ctr.publishAll) return [];
  type Entry = { b: PortSpecBinding | null; port: number; proto: string; order: number };
  const entries: Entry[] = [];
  let order = 0;
  for (const p of ctr.exposedPorts) {
    const bs = ctr.portSpecs.filter((b) => b.containerPort === p.port && b.proto === p.proto);
    if (bs.length === 0) entries.push({ b: null, port: p.port, proto: p.proto, order: order++ });
    for (const b of bs) entries.push({ b, port: p.port, proto: p.proto, order: order++ });
  }
  entries.sort((x, y) => {
    const hx = x.b?.hostPortStart ?? 0, hy = y.b?.hostPortStart ?? 0;
    if (hx !== hy) return hy - hx;
    if (x.port !== y.port) return y.port - x.port;
    const tx = x.proto === 'tcp' ? 0 : 1, ty = y.proto === 'tcp' ? 0 : 1;
    if (tx !== ty) return tx - ty;
    return x.order - y.order;
  });
  const out: PortSpecBinding[] = [];
  for (const e of entries) {
    if (e.b) out.push(e.b);
    else if (ctr.publishAll && (e.proto === 'tcp' || e.proto === 'udp' || e.proto === 'sctp')) {
      out.push({ containerPort: e.port, proto: e.proto, hostIp: '', hostPortStart: 0, hostPortEnd: 0 });
    }
  }
  return out;
}
