// Constructors for the rules dockerd programs, one per rule shape, named after what the rule is for.
import type { BridgeNetwork, PortMapping } from './inputs';
import type { Negatable, Rule, RuleMatch, RulePurpose, RuleTarget, TableName } from './types';

export const is = (value: string): Negatable<string> => ({ value, negate: false });
export const not = (value: string): Negatable<string> => ({ value, negate: true });

export const ACCEPT: RuleTarget = { kind: 'ACCEPT' };
export const DROP: RuleTarget = { kind: 'DROP' };
export const RETURN: RuleTarget = { kind: 'RETURN' };
export const MASQUERADE: RuleTarget = { kind: 'MASQUERADE' };
export const jump = (chain: string): RuleTarget => ({ kind: 'JUMP', chain });

export function rule(table: TableName, chain: string, match: RuleMatch, target: RuleTarget, purpose: RulePurpose, about?: { network?: string; container?: string }): Rule {
  return { table, chain, match, target, purpose, ...(about?.network !== undefined ? { network: about.network } : {}), ...(about?.container !== undefined ? { container: about.container } : {}) };
}

export const CHAIN = {
  docker: 'DOCKER',
  user: 'DOCKER-USER',
  stage1: 'DOCKER-ISOLATION-STAGE-1',
  stage2: 'DOCKER-ISOLATION-STAGE-2',
  forward: 'DOCKER-FORWARD',
  ct: 'DOCKER-CT',
  bridge: 'DOCKER-BRIDGE',
  internal: 'DOCKER-INTERNAL',
} as const;

const CT_ESTABLISHED = ['RELATED', 'ESTABLISHED'] as const;

export function conntrackAccept(table: TableName, chain: string, n: BridgeNetwork): Rule {
  return rule(table, chain, { out: is(n.br), ctstate: CT_ESTABLISHED }, ACCEPT, 'conntrack-accept', { network: n.net.name });
}

export function networkMasquerade(n: BridgeNetwork): Rule {
  return rule('nat', 'POSTROUTING', { src: is(n.subnet), out: not(n.br) }, MASQUERADE, 'masquerade', { network: n.net.name });
}

export function hairpinMasquerade(n: BridgeNetwork): Rule {
  return rule('nat', 'POSTROUTING', { out: is(n.br), srcTypeLocal: true }, MASQUERADE, 'hairpin-masquerade', { network: n.net.name });
}

export function skipDnat(n: BridgeNetwork): Rule {
  return rule('nat', CHAIN.docker, { in: is(n.br) }, RETURN, 'skip-dnat', { network: n.net.name });
}

export function preroutingJump(): Rule {
  return rule('nat', 'PREROUTING', { dstTypeLocal: true }, jump(CHAIN.docker), 'nat-prerouting-jump');
}

export function outputJump(hairpin: boolean): Rule {
  return rule('nat', 'OUTPUT', { ...(hairpin ? {} : { dst: not('127.0.0.0/8') }), dstTypeLocal: true }, jump(CHAIN.docker), 'nat-output-jump');
}

export function internalOutDrop(chain: string, n: BridgeNetwork): Rule {
  return rule('filter', chain, { src: not(n.subnet), out: is(n.br) }, DROP, 'internal-out-drop', { network: n.net.name });
}

export function internalInDrop(chain: string, n: BridgeNetwork): Rule {
  return rule('filter', chain, { dst: not(n.subnet), in: is(n.br) }, DROP, 'internal-in-drop', { network: n.net.name });
}

export function iccRule(chain: string, n: BridgeNetwork, accept: boolean): Rule {
  return rule('filter', chain, { in: is(n.br), out: is(n.br) }, accept ? ACCEPT : DROP, accept ? 'icc-accept' : 'icc-drop', { network: n.net.name });
}

/** Per published port: the DNAT from the host port to the container. */
export function portDnat(m: PortMapping, hairpin: boolean): Rule {
  const b = m.binding;
  return rule(
    'nat',
    CHAIN.docker,
    { ...(m.anyHostIp ? {} : { dst: is(`${b.hostIp}/32`) }), ...(hairpin ? {} : { in: not(m.network.br) }), proto: b.proto, dport: b.hostPort },
    { kind: 'DNAT', to: `${b.containerIp}:${b.containerPort}` },
    'port-dnat',
    { network: m.network.net.name, container: m.container.name },
  );
}

/** Per published port: let the DNATed packets into the bridge (filter DOCKER). */
export function portAccept(m: PortMapping): Rule {
  const b = m.binding;
  return rule(
    'filter',
    CHAIN.docker,
    { dst: is(`${b.containerIp}/32`), in: not(m.network.br), out: is(m.network.br), proto: b.proto, dport: b.containerPort },
    ACCEPT,
    'port-accept',
    { network: m.network.net.name, container: m.container.name },
  );
}

/** Per published port: masquerade a container reaching its own published port (hairpin). */
export function portMasquerade(m: PortMapping): Rule {
  const b = m.binding;
  const self = `${b.containerIp}/32`;
  return rule('nat', 'POSTROUTING', { src: is(self), dst: is(self), proto: b.proto, dport: b.containerPort }, MASQUERADE, 'port-masquerade', {
    network: m.network.net.name,
    container: m.container.name,
  });
}

export function sctpChecksum(m: PortMapping): Rule {
  return rule('mangle', 'POSTROUTING', { proto: 'sctp', sport: m.binding.containerPort }, { kind: 'CHECKSUM' }, 'sctp-checksum', {
    network: m.network.net.name,
    container: m.container.name,
  });
}
