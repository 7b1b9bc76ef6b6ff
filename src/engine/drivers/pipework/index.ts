// pipework (github.com/jpetazzo/pipework) as a plug-in unit: Docker never runs it, a user does, after
// `docker run`. A topology file writes each attachment under the container (`pipework:`), which the
// build plays with attachPipework once the container runs; a `driver: pipework` network declares a host
// bridge for them and the host's address on it. Listed in ../index.ts PLUGIN_DRIVERS.
import type { DriverUnit } from '../types';
import { PipeworkDriver, PIPEWORK } from './driver';
import { pipeworkPicture } from './picture';

export { attachPipework, PipeworkError, type PipeworkAttachment } from './attach';
export { PIPEWORK, pipeworkVethName, type PipeworkNetworkData } from './driver';

export const pipework: DriverUnit = {
  descriptor: {
    name: 'pipework',
    scope: 'local',
    origin: 'plugin',
    summary:
      "Not a Docker driver but jpetazzo's `pipework` script, shipped as a plug-in of the model: it adds an interface to a running container by hand (`pipework br1 web 192.168.1.10/24@192.168.1.1`), a veth pair to a host bridge (created when missing) or a macvlan child of a host interface. Write the attachments under a container's `pipework:`; a `driver: pipework` network declares the host bridge (`driver_opts: { bridge: br1 }`) and, with `subnet`/`gateway`, the host's own address on it. Docker does not know these interfaces: no DNS name, no iptables rules (its FORWARD policy DROP drops frames bridged between two attachments).",
    short: 'jpetazzo/pipework: a host bridge for interfaces added by hand to running containers (containers list them under pipework:)',
    options: [
      {
        name: PIPEWORK.bridgeOption,
        description: 'pipework: the host bridge this network stands for (default: the network name); containers attach to it with `pipework: [{ bridge: <name>, ip: <address>/<prefix> }]`.',
      },
    ],
    icon: { id: 'plug', color: 'charts.orange' },
    forms: { file: true, live: false, optionHint: 'e.g. bridge=br1' },
  },
  create: () => new PipeworkDriver(),
  picture: pipeworkPicture,
};
