// One network or one container as engine.inspect() shows it, without inspecting everything: hover and
// completion name one object, and inspecting a 5,000-container engine takes 80-300 ms. Once the whole
// inspect view exists (another feature asked for it), it answers, so both ways always agree.
import { inspectContainer, inspectNetwork, type Engine, type InspectContainer, type InspectNetwork, type InspectResult } from '../engine';

export interface LiveLookup {
  /** The container `name` (on `host`, else the first host that has one), as inspect() lists it. */
  liveContainer(name: string, host?: string): InspectContainer | undefined;
  /** The network `name` (on `host`, else the first host that has one), as inspect() lists it. */
  liveNetwork(name: string, host?: string): InspectNetwork | undefined;
}

/** `made` is the whole inspect view when it has been computed, else null (it is not computed here). */
export function liveLookup(engine: Engine | undefined, made: () => InspectResult | undefined | null): LiveLookup {
  const onHosts = <T>(host: string | undefined, one: (hostName: string) => T | undefined): T | undefined => {
    if (!engine) return undefined;
    for (const h of engine.state.hosts.keys()) {
      if (host !== undefined && h !== host) continue;
      try {
        const found = one(h);
        if (found) return found;
      } catch {
        return undefined; // as a failed inspect(): nothing to show
      }
    }
    return undefined;
  };
  return {
    liveContainer(name, host) {
      const all = made();
      if (all !== null) return all?.containers.find((c) => c.name === name && (host === undefined || c.host === host));
      return onHosts(host, (h) => {
        const c = engine!.containerNamed(h, name);
        return c ? inspectContainer(engine!.state.hosts.get(h)!, c) : undefined;
      });
    },
    liveNetwork(name, host) {
      const all = made();
      if (all !== null) return all?.networks.find((n) => n.name === name && (host === undefined || n.host === host));
      return onHosts(host, (h) => {
        // Every network the host has, in inspect()'s order (pipework's bridges are not Docker networks by name).
        const hostState = engine!.state.hosts.get(h)!;
        for (const n of hostState.networks.values()) if (n.name === name) return inspectNetwork(n, hostState);
        return undefined;
      });
    },
  };
}
