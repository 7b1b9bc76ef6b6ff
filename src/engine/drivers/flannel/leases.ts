// flannel's subnet leases: the cluster network (e.g. 10.244.0.0/16) is cut into per-host subnets of
// `subnetLen` bits (/24 by default), leased to the hosts in host order: the first host gets 10.244.0.0/24,
// the second 10.244.1.0/24, and so on. (flanneld leases from etcd; host order stands in for who came first.)
import { DockerError } from '../../errors';
import { formatNet, makeNet, parseCidr, type IpNet } from '../../ip';

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const DEFAULT_SUBNET_LEN = 24;

export function clusterNetwork(text: string | undefined): IpNet {
  const n = parseCidr(text && text !== '' ? text : DEFAULT_CLUSTER_CIDR);
  if (!n || n.family !== 4) throw new DockerError(`flannel: invalid network ${text ?? ''}: must be an IPv4 CIDR such as ${DEFAULT_CLUSTER_CIDR}`, 400, { field: 'subnet' });
  return makeNet(4, n.base, n.prefix);
}

/** The lease of the host at `index` (host order), or an error when the cluster network has too few subnets. */
export function leaseFor(cluster: IpNet, subnetLen: number, index: number): IpNet {
  if (subnetLen <= cluster.prefix || subnetLen > 30) {
    throw new DockerError(`flannel: SubnetLen ${subnetLen} must be longer than the network's /${cluster.prefix} and at most 30`, 400, { field: 'driver_opts', key: 'subnet_len' });
  }
  const count = 1n << BigInt(subnetLen - cluster.prefix);
  if (BigInt(index) >= count) throw new DockerError(`flannel: no subnet lease left in ${formatNet(cluster)} for host #${index + 1}`, 503, { field: 'subnet' });
  return makeNet(4, cluster.base + (BigInt(index) << BigInt(32 - subnetLen)), subnetLen);
}
