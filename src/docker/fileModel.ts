// What apply and drift read from a topology file. src/docker does not import the topology layer
// (layers: docker → engine only), so this is the structural subset of its TopologySpec that they
// need; a parsed TopologySpec fits it as is.
import type { EndpointConfig, IpamPoolConfig } from '../engine';

export type FilePath = (string | number)[];

export interface FileNetwork {
  name: string;
  driver: string;
  host: string;
  ipamConfig: IpamPoolConfig[];
  ipamDriver?: string;
  ipamOptions?: Record<string, string>;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  enableIpv6: boolean;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
  path: FilePath;
}

export interface FileEndpoint extends EndpointConfig {
  network: string;
  path: FilePath;
}

export interface FileContainer {
  name: string;
  host: string;
  image: string;
  hostname?: string;
  networkMode?: string;
  networks: FileEndpoint[];
  ports: string[];
  expose: string[];
  path: FilePath;
}

export interface FileTopology {
  hosts: { name: string }[];
  networks: FileNetwork[];
  containers: FileContainer[];
  services: { name: string }[];
}
