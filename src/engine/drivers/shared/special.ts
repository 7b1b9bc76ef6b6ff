// The host and null drivers: no IPAM, no interfaces. A `host` endpoint puts the container in the host's
// namespace; a `null` endpoint leaves it with only `lo`.
import { DockerError, FORBIDDEN } from '../../errors';
import type { EndpointState, NetworkState, PortBindingState, SandboxState } from '../../model';
import type { DriverContext, EndpointCreated, JoinInfo, NetworkCreated, NetworkDraft, NetworkDriver } from '../types';

abstract class SpecialDriver implements NetworkDriver {
  abstract readonly name: string;
  readonly scope = 'local' as const;
  readonly special = true;
  readonly supportsPortMapping = false;

  createNetwork(ctx: DriverContext, _draft: NetworkDraft): NetworkCreated {
    for (const n of ctx.host.networks.values()) {
      if (n.driver === this.name) throw new DockerError(`only one instance of "${this.name}" network is allowed`, FORBIDDEN, { field: 'driver' });
    }
    return {};
  }
  deleteNetwork(): void {}
  createEndpoint(): EndpointCreated {
    return { mac: null, hostIfname: null };
  }
  deleteEndpoint(): void {}
  join(_ctx: DriverContext, _net: NetworkState, _ep: EndpointState, _sb: SandboxState): JoinInfo {
    return { ifacePrefix: null, gateway: null, gateway6: null, mtu: 0 };
  }
  leave(): void {}
  programExternalConnectivity(): PortBindingState[] {
    return [];
  }
  revokeExternalConnectivity(): void {}
}

export class HostDriver extends SpecialDriver {
  readonly name = 'host';
}

export class NullDriver extends SpecialDriver {
  readonly name = 'null';
}
