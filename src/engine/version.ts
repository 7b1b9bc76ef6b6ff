// Which Docker release the engine models. Releases differ in allocation order, MACs, error texts and
// more (reference §7); each difference is one named feature here so the code reads as the rule.

export interface DockerVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly text: string;
}

/** The newest release modelled; used when a host names none. */
export const NEWEST_MODELLED_VERSION = '29.0';

export function parseVersion(text: string | undefined): DockerVersion | null {
  const raw = (text ?? NEWEST_MODELLED_VERSION).trim();
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(raw);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? defaultPatch(Number(m[1]), Number(m[2])) : Number(m[3]), text: raw };
}

// "20.10" means the locally-run 20.10.24; other "x.y" mean x.y.0.
function defaultPatch(major: number, minor: number): number {
  return major === 20 && minor === 10 ? 24 : 0;
}

export function atLeast(v: DockerVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export interface VersionFeatures {
  /** 27.0+: new subnets are the lowest free predefined pool (no rotating cursor). */
  lowestFreeSubnet: boolean;
  /** 27.0+: a ULA /48 (split in /64s) joins the local default pools. */
  defaultIpv6Pool: boolean;
  /** 28.0+: random locally administered MACs for bridge endpoints (and MAC-independent IPv6 on docker0). */
  randomMac: boolean;
  /** 28.0+: endpoint gw-priority sorts first. */
  gwPriority: boolean;
  /** 25.0+: daemon-side IPAM validation (non-canonical subnet, gateway/range outside subnet). */
  strictIpamValidation: boolean;
  /** 25.0+: an IPv6 subnet turns IPv6 on. */
  ipv6SubnetEnablesIpv6: boolean;
  /** 25.0+: internal bridge networks give no gateway (no default route). */
  internalNoGateway: boolean;
  /** 25.0+: short id and hostname are DNS names, not Aliases. */
  dnsNamesField: boolean;
  /** 25.0+: per-endpoint MAC on connect is honoured. */
  endpointMacOnConnect: boolean;
  /** 27.0+: IPv4 and IPv6 ephemeral host ports are equal. */
  sameV4V6EphemeralPort: boolean;
  /** 28.1+: "network x has active endpoints (…)". */
  activeEndpointNames: boolean;
  /** 28.0.2+: separate texts for connecting to / disconnecting from host. */
  splitHostNetworkErrors: boolean;
  /** 20.10 only needs --fixed-cidr-v6 with --ipv6. */
  ipv6NeedsFixedCidr: boolean;
  /** 25.0+ (API 1.44): a container created without a network mode shows "bridge", not "default" (seen on 26.1). */
  defaultModeShownAsBridge: boolean;
  /** 25.0+: endpoint settings are validated at create and connect, every problem joined ("invalid endpoint settings:"). */
  validateEndpointSettings: boolean;
  /** 23.0+: ipvlan_mode l3s. */
  ipvlanL3s: boolean;
  /**
   * Every version (20.10's buildCreateEndpointOptions has the same code): a container's port bindings are
   * allocated in an order that varies from run to run (nat.SortPortMap's non-strict Less over a Go map's
   * keys), so two ephemeral bindings may swap their host ports; the engine gives each such port as one of
   * a set. Seen on 26.1 first; 20.10 gave one order for many runs, then the other (14-port-forms).
   */
  randomPortMapOrder: boolean;
}

export function featuresOf(v: DockerVersion): VersionFeatures {
  return {
    lowestFreeSubnet: atLeast(v, 27),
    defaultIpv6Pool: atLeast(v, 27),
    randomMac: atLeast(v, 28),
    gwPriority: atLeast(v, 28),
    strictIpamValidation: atLeast(v, 25),
    ipv6SubnetEnablesIpv6: atLeast(v, 25),
    internalNoGateway: atLeast(v, 25),
    dnsNamesField: atLeast(v, 25),
    endpointMacOnConnect: atLeast(v, 25),
    sameV4V6EphemeralPort: atLeast(v, 27),
    activeEndpointNames: atLeast(v, 28, 1),
    splitHostNetworkErrors: atLeast(v, 28, 0, 2),
    ipv6NeedsFixedCidr: !atLeast(v, 27),
    defaultModeShownAsBridge: atLeast(v, 25),
    validateEndpointSettings: atLeast(v, 25),
    ipvlanL3s: atLeast(v, 23),
    randomPortMapOrder: true,
  };
}
