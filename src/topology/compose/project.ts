// The merged Compose model → typed services and networks (only what touches networking; every other
// key Compose accepts is kept in the model and ignored), with compose-go's own validation texts for
// what it refuses: unknown keys, networks or services that do not exist, mutually exclusive keys.
import type { YamlPath } from '../spec';
import type { ComposeModel, ComposeProblem } from './load';
import { describeNode, get, textOf, type CMap, type CNode, type Loc } from './nodes';

export const TOP_LEVEL_KEYS = ['version', 'name', 'include', 'services', 'networks', 'volumes', 'secrets', 'configs'];
export const SERVICE_KEYS = (
  'develop deploy annotations attach build blkio_config cap_add cap_drop cgroup cgroup_parent command configs container_name cpu_count cpu_percent ' +
  'cpu_shares cpu_quota cpu_period cpu_rt_period cpu_rt_runtime cpus cpuset credential_spec depends_on device_cgroup_rules devices dns dns_opt ' +
  'dns_search domainname entrypoint env_file environment expose extends external_links extra_hosts group_add healthcheck hostname image init ipc ' +
  'isolation labels links logging mac_address mem_limit mem_reservation mem_swappiness memswap_limit network_mode networks oom_kill_disable ' +
  'oom_score_adj pid pids_limit platform ports privileged profiles pull_policy read_only restart runtime scale security_opt shm_size secrets ' +
  'sysctls stdin_open stop_grace_period stop_signal storage_opt tmpfs tty ulimits user uts userns_mode volumes volumes_from working_dir'
).split(' ');
export const NETWORK_KEYS = ['name', 'driver', 'driver_opts', 'ipam', 'external', 'internal', 'enable_ipv6', 'attachable', 'labels'];
const SERVICE_NETWORK_KEYS = ['aliases', 'ipv4_address', 'ipv6_address', 'link_local_ips', 'mac_address', 'priority'];
const IPAM_KEYS = ['driver', 'config', 'options'];
const IPAM_POOL_KEYS = ['subnet', 'ip_range', 'gateway', 'aux_addresses'];
const PORT_KEYS = ['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol'];

/** A value and where it was written. */
export interface At<T> {
  value: T;
  loc: Loc;
}

export interface ComposeNetwork {
  key: string;
  /** Docker's name: `name:`, else `<project>_<key>` (the key itself when external). */
  name: string;
  external: boolean;
  driver?: string;
  driverOpts: Record<string, string>;
  ipamDriver?: string;
  ipamOptions?: Record<string, string>;
  ipamConfig: { subnet?: string; gateway?: string; ipRange?: string; auxAddresses?: Record<string, string>; loc: Loc }[];
  internal: boolean;
  attachable: boolean;
  enableIpv6: boolean;
  labels: Record<string, string>;
  /** External, and how it was created is given in its `x-cnm` (the keys of a network, with an IPv4 subnet): the engine models it. */
  known?: boolean;
  /** undefined for the implicit `default`. */
  loc?: Loc;
}

export interface ServiceNetwork {
  key: string;
  aliases: string[];
  ipv4Address?: string;
  ipv6Address?: string;
  macAddress?: string;
  priority: number;
  /** Written with a settings block (`name: {…}`), not only named: Compose 2.26 treats the two apart for MACs. */
  hasConfig: boolean;
  loc: Loc;
}

export interface ComposeService {
  name: string;
  enabled: boolean;
  profiles: string[];
  image?: string;
  containerName?: At<string>;
  hostname?: string;
  scale: number;
  networkMode?: At<string>;
  /** By priority, then name (NetworksByPriority): the first is the one the container is created on. */
  networks: ServiceNetwork[];
  /** Docker's -p texts, one per entry. */
  ports: At<string>[];
  expose: At<string>[];
  links: { service: string; alias: string; loc: Loc }[];
  dependsOn: { service: string; condition: string; required: boolean; loc: Loc }[];
  macAddress?: At<string>;
  loc: Loc;
}

export interface ComposeProject {
  name: string;
  services: ComposeService[]; // file order
  networks: Map<string, ComposeNetwork>;
  /** x-cnm.daemon.version */
  daemonVersion?: At<string>;
  expect: { from: string; to: string; verdict: string; loc: Loc }[];
}

export function readProject(m: ComposeModel): ComposeProject {
  return new ProjectReader(m).read();
}

class ProjectReader {
  private readonly problems: ComposeProblem[];
  constructor(private readonly m: ComposeModel) {
    this.problems = m.problems;
  }

  private error(loc: Loc, message: string, part: 'key' | 'value' = 'key', path: YamlPath = loc.path): void {
    this.problems.push({ file: loc.file, path, part, severity: 'error', message, code: 'compose' });
  }

  private keys(n: CMap, allowed: string[], where: string): void {
    for (const [k, v] of n.entries) {
      if (allowed.includes(k) || k.startsWith('x-')) continue;
      this.error({ file: v.loc.file, path: v.loc.path }, `validating ${v.loc.file}: ${where} Additional property ${k} is not allowed`);
    }
  }

  private type(n: CNode | undefined, want: 'mapping' | 'string' | 'list', where: string): boolean {
    if (!n) return false;
    const ok = want === 'mapping' ? n.kind === 'map' : want === 'list' ? n.kind === 'seq' : n.kind === 'scalar' && n.value !== null;
    if (!ok && !(n.kind === 'scalar' && n.value === null && want !== 'string')) this.error(n.loc, `validating ${n.loc.file}: ${where} must be a ${want}`, 'value');
    return ok;
  }

  private stringMap(n: CNode | undefined, where: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (!n || (n.kind === 'scalar' && n.value === null)) return out;
    if (n.kind === 'map') for (const [k, v] of n.entries) out[k] = textOf(v) ?? '';
    else if (n.kind === 'seq') {
      for (const item of n.items) {
        const t = textOf(item) ?? '';
        const eq = t.indexOf('=');
        out[eq < 0 ? t : t.slice(0, eq)] = eq < 0 ? '' : t.slice(eq + 1);
      }
    } else this.error(n.loc, `validating ${n.loc.file}: ${where} must be a mapping`, 'value');
    return out;
  }

  private strings(n: CNode | undefined, where: string): At<string>[] {
    if (!n || (n.kind === 'scalar' && n.value === null)) return [];
    if (n.kind !== 'seq') {
      this.error(n.loc, `validating ${n.loc.file}: ${where} must be a array`, 'value');
      return [];
    }
    return n.items.flatMap((i) => (textOf(i) !== undefined ? [{ value: textOf(i)!, loc: i.loc }] : []));
  }

  read(): ComposeProject {
    const model = this.m.model;
    const project: ComposeProject = { name: this.m.projectName, services: [], networks: new Map(), expect: [] };
    if (!model) return project;
    this.keys(model, TOP_LEVEL_KEYS, '(root)');
    const servicesNode = model.entries.get('services');
    const networksNode = model.entries.get('networks');
    if (networksNode) this.type(networksNode, 'mapping', 'networks');
    const declared = new Map<string, CNode | undefined>();
    if (networksNode?.kind === 'map') for (const [k, v] of networksNode.entries) declared.set(k, v);
    if (servicesNode) this.type(servicesNode, 'mapping', 'services');
    if (servicesNode?.kind === 'map') {
      for (const [name, node] of servicesNode.entries) {
        if (node.kind !== 'map') {
          if (!(node.kind === 'scalar' && node.value === null)) this.error(node.loc, `validating ${node.loc.file}: services.${name} must be a mapping`, 'value');
          continue;
        }
        project.services.push(this.service(name, node, declared));
      }
    }
    this.checkServices(project.services);

    // Only networks some enabled service uses are created (WithoutUnnecessaryResources); `default` is implicit.
    const used = new Set<string>();
    for (const s of project.services) if (s.enabled) for (const n of s.networks) used.add(n.key);
    for (const [key, node] of declared) {
      if (node && node.kind !== 'map' && !(node.kind === 'scalar' && node.value === null)) {
        this.error(node.loc, `validating ${node.loc.file}: networks.${key} must be a mapping`, 'value');
        continue;
      }
      const n = this.network(key, node as CMap | undefined);
      if (used.has(key)) project.networks.set(key, n);
    }
    if (used.has('default') && !project.networks.has('default')) project.networks.set('default', this.network('default', undefined));

    const xcnm = model.entries.get('x-cnm');
    const version = get(get(xcnm, 'daemon'), 'version');
    if (version && textOf(version) !== undefined) project.daemonVersion = { value: textOf(version)!, loc: version.loc };
    const expect = model.entries.get('x-cnm-expect');
    if (expect?.kind === 'seq') {
      for (const e of expect.items) {
        const from = textOf(get(e, 'from'));
        const to = textOf(get(e, 'to'));
        const verdict = textOf(get(e, 'verdict'));
        if (from === undefined || to === undefined || verdict === undefined) {
          this.error(e.loc, 'x-cnm-expect: each entry is { from, to, verdict }', 'value');
          continue;
        }
        if (!['delivered', 'refused', 'dropped', 'unresolved', 'unknown'].includes(verdict)) {
          this.error(get(e, 'verdict')!.loc, `x-cnm-expect: verdict "${verdict}" is not one of delivered, refused, dropped, unresolved, unknown`, 'value');
          continue;
        }
        project.expect.push({ from, to, verdict, loc: e.loc });
      }
    } else if (expect) this.error(expect.loc, 'x-cnm-expect must be a list of { from, to, verdict }', 'value');
    return project;
  }

  private network(key: string, node: CMap | undefined): ComposeNetwork {
    const where = `networks.${key}`;
    if (node) this.keys(node, NETWORK_KEYS, where);
    const ext = get(node, 'external');
    // `external: { name: x }` is the old form of `external: true` + `name: x`.
    const external = ext !== undefined && (ext.kind === 'map' || textOf(ext) === 'true');
    const extName = ext?.kind === 'map' ? textOf(get(ext, 'name')) : undefined;
    const given = textOf(get(node, 'name')) ?? extName;
    const name = given ?? (external ? key : `${this.m.projectName}_${key}`);
    if (external && node) {
      for (const k of node.entries.keys()) {
        if (['name', 'external'].includes(k) || k.startsWith('x-')) continue;
        this.error(node.entries.get(k)!.loc, `networks.${key}: conflicting parameters "external" and "${k}" specified`);
      }
    }
    const ipam = get(node, 'ipam');
    if (ipam?.kind === 'map') this.keys(ipam, IPAM_KEYS, `${where}.ipam`);
    const cfg = get(ipam, 'config');
    const ipamConfig: ComposeNetwork['ipamConfig'] = [];
    if (cfg && this.type(cfg, 'list', `${where}.ipam.config`) && cfg.kind === 'seq') {
      cfg.items.forEach((p, i) => {
        if (p.kind !== 'map') {
          this.error(p.loc, `validating ${p.loc.file}: ${where}.ipam.config.${i} must be a mapping`, 'value');
          return;
        }
        this.keys(p, IPAM_POOL_KEYS, `${where}.ipam.config.${i}`);
        const pool: ComposeNetwork['ipamConfig'][number] = { loc: p.loc };
        const t = (k: string) => textOf(p.entries.get(k));
        if (t('subnet') !== undefined) pool.subnet = t('subnet')!;
        if (t('gateway') !== undefined) pool.gateway = t('gateway')!;
        if (t('ip_range') !== undefined) pool.ipRange = t('ip_range')!;
        if (p.entries.has('aux_addresses')) pool.auxAddresses = this.stringMap(p.entries.get('aux_addresses'), `${where}.ipam.config.${i}.aux_addresses`);
        ipamConfig.push(pool);
      });
    }
    const flag = (k: string) => {
      const v = get(node, k);
      return v !== undefined && (v.kind === 'scalar' && (v.value === true || v.value === 'true'));
    };
    const labels = this.stringMap(get(node, 'labels'), `${where}.labels`);
    const out: ComposeNetwork = {
      key,
      name,
      external,
      driverOpts: this.stringMap(get(node, 'driver_opts'), `${where}.driver_opts`),
      ipamConfig,
      internal: flag('internal'),
      attachable: flag('attachable'),
      enableIpv6: flag('enable_ipv6'),
      labels,
    };
    const driver = textOf(get(node, 'driver'));
    if (driver !== undefined) out.driver = driver;
    // An external network exists before the project; `x-cnm` (ignored by Compose) may say how it was made.
    const made = external ? get(node, 'x-cnm') : undefined;
    if (made?.kind === 'map') {
      const k = this.network(key, made);
      if (k.ipamConfig.some((c) => c.subnet !== undefined && !c.subnet.includes(':'))) {
        Object.assign(out, { driverOpts: k.driverOpts, ipamConfig: k.ipamConfig, internal: k.internal, attachable: k.attachable, enableIpv6: k.enableIpv6, labels: k.labels, known: true });
        if (k.driver !== undefined) out.driver = k.driver;
      } else {
        this.problems.push({ file: made.loc.file, path: made.loc.path, part: 'key', severity: 'warning', code: 'compose-external',
          message: `networks.${key}.x-cnm: give the external network's ipam config with an IPv4 subnet (as it was created) for its addresses to be predicted` });
      }
    }
    const ipamDriver = textOf(get(ipam, 'driver'));
    if (ipamDriver !== undefined) out.ipamDriver = ipamDriver;
    if (get(ipam, 'options')) out.ipamOptions = this.stringMap(get(ipam, 'options'), `${where}.ipam.options`);
    if (node) out.loc = node.loc;
    return out;
  }

  private service(name: string, node: CMap, declared: Map<string, CNode | undefined>): ComposeService {
    const where = `services.${name}`;
    this.keys(node, SERVICE_KEYS, where);
    const t = (k: string) => textOf(node.entries.get(k));
    const at = (k: string): At<string> | undefined => (t(k) !== undefined ? { value: t(k)!, loc: node.entries.get(k)!.loc } : undefined);
    const profiles = this.strings(node.entries.get('profiles'), `${where}.profiles`).map((p) => p.value);
    const active = this.m.profiles;
    const enabled = profiles.length === 0 || active.has('*') || profiles.some((p) => active.has(p));
    const s: ComposeService = { name, enabled, profiles, scale: 1, networks: [], ports: [], expose: [], links: [], dependsOn: [], loc: node.loc };
    if (t('image') !== undefined) s.image = t('image')!;
    if (at('container_name')) s.containerName = at('container_name')!;
    if (t('hostname') !== undefined) s.hostname = t('hostname')!;
    if (at('mac_address')) s.macAddress = at('mac_address')!;

    // scale, deploy.replicas
    const scaleNode = node.entries.get('scale');
    const replicasNode = get(get(node, 'deploy'), 'replicas');
    const int = (n: CNode | undefined, w: string): number | undefined => {
      if (!n || (n.kind === 'scalar' && n.value === null)) return undefined;
      const v = n.kind === 'scalar' ? Number(n.value) : NaN;
      if (!Number.isInteger(v) || v < 0) {
        this.error(n.loc, `validating ${n.loc.file}: ${w} must be a integer`, 'value');
        return undefined;
      }
      return v;
    };
    const scale = int(scaleNode, `${where}.scale`);
    const replicas = int(replicasNode, `${where}.deploy.replicas`);
    if (scale !== undefined && replicas !== undefined && scale !== replicas) this.error(scaleNode!.loc, `services.${name}: can't set distinct values on 'scale' and 'deploy.replicas': invalid compose project`);
    s.scale = scale ?? replicas ?? 1;

    // networks and network_mode
    const nm = at('network_mode');
    const netsNode = node.entries.get('networks');
    if (nm) s.networkMode = nm;
    if (nm && netsNode) this.error(nm.loc, `service ${name} declares mutually exclusive \`network_mode\` and \`networks\`: invalid compose project`);
    if (netsNode && !(netsNode.kind === 'scalar' && netsNode.value === null)) {
      const entries: [string, CNode | undefined, Loc][] = [];
      if (netsNode.kind === 'seq') for (const i of netsNode.items) entries.push([textOf(i) ?? '', undefined, i.loc]);
      else if (netsNode.kind === 'map') for (const [k, v] of netsNode.entries) entries.push([k, v, { file: v.loc.file, path: v.loc.path }]);
      else this.error(netsNode.loc, `validating ${netsNode.loc.file}: ${where}.networks must be a array`, 'value');
      for (const [key, cfg, loc] of entries) {
        if (!declared.has(key) && key !== 'default') {
          this.error(loc, `service "${name}" refers to undefined network ${key}: invalid compose project`);
          continue;
        }
        const sn: ServiceNetwork = { key, aliases: [], priority: 0, hasConfig: cfg?.kind === 'map', loc };
        if (cfg?.kind === 'map') {
          this.keys(cfg, SERVICE_NETWORK_KEYS, `${where}.networks.${key}`);
          sn.aliases = this.strings(cfg.entries.get('aliases'), `${where}.networks.${key}.aliases`).map((a) => a.value);
          const ct = (k: string) => textOf(cfg.entries.get(k));
          if (ct('ipv4_address') !== undefined) sn.ipv4Address = ct('ipv4_address')!;
          if (ct('ipv6_address') !== undefined) sn.ipv6Address = ct('ipv6_address')!;
          if (ct('mac_address') !== undefined) sn.macAddress = ct('mac_address')!;
          const p = cfg.entries.get('priority');
          if (p) sn.priority = Number(textOf(p)) || 0;
        } else if (cfg && !(cfg.kind === 'scalar' && cfg.value === null)) this.error(cfg.loc, `validating ${cfg.loc.file}: ${where}.networks.${key} must be a mapping`, 'value');
        s.networks.push(sn);
      }
      s.networks.sort((a, b) => b.priority - a.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    } else if (!nm) s.networks.push({ key: 'default', aliases: [], priority: 0, hasConfig: false, loc: node.loc });

    s.ports = this.ports(node.entries.get('ports'), where);
    s.expose = this.strings(node.entries.get('expose'), `${where}.expose`);

    for (const l of this.strings(node.entries.get('links'), `${where}.links`)) {
      const [svc, alias] = l.value.split(':');
      s.links.push({ service: svc!, alias: alias ?? svc!, loc: l.loc });
    }
    const dep = node.entries.get('depends_on');
    if (dep?.kind === 'seq') for (const d of dep.items) s.dependsOn.push({ service: textOf(d) ?? '', condition: 'service_started', required: true, loc: d.loc });
    else if (dep?.kind === 'map') {
      for (const [k, v] of dep.entries) {
        const required = get(v, 'required');
        s.dependsOn.push({ service: k, condition: textOf(get(v, 'condition')) ?? 'service_started', required: !(required?.kind === 'scalar' && (required.value === false || required.value === 'false')), loc: { file: v.loc.file, path: v.loc.path } });
      }
    } else if (dep) this.type(dep, 'list', `${where}.depends_on`);
    // links and network_mode service:x are dependencies too (compose-go Normalize).
    const implicit = [...s.links.map((l) => ({ service: l.service, loc: l.loc })), ...(nm && nm.value.startsWith('service:') ? [{ service: nm.value.slice(8), loc: nm.loc }] : [])];
    for (const d of implicit) if (!s.dependsOn.some((x) => x.service === d.service)) s.dependsOn.push({ service: d.service, condition: 'service_started', required: true, loc: d.loc });
    return s;
  }

  /** Each `ports` entry as Docker's -p text: short forms as written, long forms rebuilt. */
  private ports(n: CNode | undefined, where: string): At<string>[] {
    if (!n || (n.kind === 'scalar' && n.value === null)) return [];
    if (n.kind !== 'seq') {
      this.error(n.loc, `validating ${n.loc.file}: ${where}.ports must be a array`, 'value');
      return [];
    }
    const out: At<string>[] = [];
    n.items.forEach((p, i) => {
      if (p.kind === 'scalar') {
        if (textOf(p) !== undefined) out.push({ value: textOf(p)!, loc: p.loc });
        return;
      }
      if (p.kind !== 'map') {
        this.error(p.loc, `validating ${p.loc.file}: ${where}.ports.${i} must be a string, number or mapping`, 'value');
        return;
      }
      this.keys(p, PORT_KEYS, `${where}.ports.${i}`);
      const g = (k: string) => textOf(p.entries.get(k));
      const target = g('target');
      if (target === undefined) {
        this.error(p.loc, `service ports ${where}.ports[${i}] is missing a target port`, 'key');
        return;
      }
      const host = g('host_ip');
      const published = g('published') ?? '';
      const proto = g('protocol') ?? 'tcp';
      const hostPart = host === undefined ? '' : host.includes(':') ? `[${host}]:` : `${host}:`;
      const spec = host === undefined && published === '' ? `${target}/${proto}` : `${hostPart}${published}:${target}/${proto}`;
      out.push({ value: spec, loc: p.loc });
    });
    return out;
  }

  private checkServices(services: ComposeService[]): void {
    const byName = new Map(services.map((s) => [s.name, s]));
    const names = new Map<string, string>();
    for (const s of services) {
      if (!s.enabled) continue;
      for (const d of s.dependsOn) {
        const other = byName.get(d.service);
        if (!other) {
          if (s.networkMode?.value === `service:${d.service}`) this.error(s.networkMode.loc, `service "${d.service}" not found for network_mode 'service:${d.service}'`, 'value');
          else if (d.required) this.error(d.loc, `service "${s.name}" depends on undefined service "${d.service}": invalid compose project`);
        } else if (!other.enabled && d.required) {
          this.error(d.loc, `service "${d.service}" is required by "${s.name}" but is disabled. Can be enabled by profiles [${other.profiles.join(' ')}]`);
        }
      }
      if (s.containerName) {
        const prev = names.get(s.containerName.value);
        if (prev !== undefined) this.error(s.containerName.loc, `"services.${s.name}": container name "${s.containerName.value}" is already in use by "services.${prev}": invalid compose project`, 'value');
        else names.set(s.containerName.value, s.name);
        if (s.scale > 1) this.error(s.containerName.loc, `WARNING: The "${s.name}" service is using the custom container name "${s.containerName.value}". Docker requires each container to have a unique name. Remove the custom name to scale the service.`, 'value');
      }
    }
    void describeNode;
  }
}
