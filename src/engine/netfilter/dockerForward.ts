// The layout of Docker 28.0.1 and later (reference §3.2, IPTDOC generated dumps; derived, not observed
// here): FORWARD only jumps to DOCKER-USER (created empty) and DOCKER-FORWARD, which holds the per-network
// rules through DOCKER-CT (conntrack), the isolation chains (28) or DOCKER-INTERNAL (29) and DOCKER-BRIDGE
// (-o br -j DOCKER); the DOCKER chain ends each network with `! -i br -o br -j DROP`, and the raw table
// drops packets addressed to a container from anywhere but its bridge.
import { atLeast } from '../version';
import type { HostState } from '../model';
import { bridgeNetworks, portMappings } from './inputs';
import { RuleProgram } from './program';
import {
  ACCEPT, CHAIN, DROP, conntrackAccept, hairpinMasquerade, iccRule, internalInDrop, internalOutDrop, is, jump,
  networkMasquerade, not, outputJump, portAccept, portDnat, portMasquerade, preroutingJump, rule, sctpChecksum, skipDnat,
} from './rules';
import type { RuleSet } from './types';

export function dockerForwardRules(host: HostState): RuleSet {
  const d = host.daemon;
  const v = d.version;
  const noIsolationChains = atLeast(v, 29);
  const perContainerRawDrop = atLeast(v, 28, 2);
  const p = new RuleProgram(d.iptables ? 'DROP' : 'ACCEPT');
  const layout = noIsolationChains ? 'docker-forward-no-isolation' : 'docker-forward';
  if (!d.iptables) return p.done(host.name, 'disabled', true);
  const hairpin = !d.userlandProxy;
  const middle = noIsolationChains ? CHAIN.internal : CHAIN.stage1;

  for (const c of [CHAIN.docker, CHAIN.user, CHAIN.forward, CHAIN.ct, CHAIN.bridge, middle]) p.newChain('filter', c);
  if (!noIsolationChains) p.newChain('filter', CHAIN.stage2);
  p.newChain('nat', CHAIN.docker);
  p.append(rule('filter', 'FORWARD', {}, jump(CHAIN.user), 'docker-user'));
  p.append(rule('filter', 'FORWARD', {}, jump(CHAIN.forward), 'chain-jump'));
  p.append(rule('filter', CHAIN.forward, {}, jump(CHAIN.ct), 'chain-jump'));
  p.append(rule('filter', CHAIN.forward, {}, jump(middle), 'isolation-jump'));
  p.append(rule('filter', CHAIN.forward, {}, jump(CHAIN.bridge), 'chain-jump'));

  const networks = bridgeNetworks(host);
  for (const n of networks) {
    const about = { network: n.net.name };
    if (n.internal) {
      // Inserted at the top: the newest internal network first, its outgoing drop above its incoming one.
      p.insertUnique(internalInDrop(middle, n));
      p.insertUnique(internalOutDrop(middle, n));
      p.appendUnique(iccRule(CHAIN.forward, n, n.icc));
      continue;
    }
    if (n.masquerade) p.insertUnique(networkMasquerade(n));
    if (n.masquerade && !hairpin && !noIsolationChains) p.insertUnique(skipDnat(n));
    if (hairpin) p.insertUnique(hairpinMasquerade(n));
    p.appendUnique(preroutingJump());
    p.appendUnique(outputJump(hairpin));
    p.appendUnique(conntrackAccept('filter', CHAIN.ct, n));
    p.appendUnique(rule('filter', CHAIN.bridge, { out: is(n.br) }, jump(CHAIN.docker), 'docker-jump', about));
    if (n.icc) {
      p.appendUnique(rule('filter', CHAIN.forward, { in: is(n.br) }, ACCEPT, 'outgoing-accept', about));
    } else {
      p.appendUnique(iccRule(CHAIN.forward, n, false));
      p.appendUnique(rule('filter', CHAIN.forward, { in: is(n.br), out: not(n.br) }, ACCEPT, 'outgoing-accept', about));
    }
    p.appendUnique(rule('filter', CHAIN.docker, { in: not(n.br), out: is(n.br) }, DROP, 'network-drop', about));
    if (!noIsolationChains) {
      p.appendUnique(rule('filter', CHAIN.stage1, { in: is(n.br), out: not(n.br) }, jump(CHAIN.stage2), 'isolation-stage2', about));
      p.insertUnique(rule('filter', CHAIN.stage2, { out: is(n.br) }, DROP, 'isolation-drop', about));
    }
  }

  for (const m of portMappings(host, networks)) {
    const b = m.binding;
    const about = { network: m.network.net.name, container: m.container.name };
    // Per-port ACCEPTs go to the head of DOCKER, above the networks' DROP rules.
    p.insertUnique(portAccept(m));
    p.appendUnique(portDnat(m, hairpin));
    if (hairpin) p.appendUnique(portMasquerade(m));
    const direct = perContainerRawDrop
      ? rule('raw', 'PREROUTING', { dst: is(`${b.containerIp}/32`), in: not(m.network.br) }, DROP, 'direct-access-drop', about)
      : rule('raw', 'PREROUTING', { dst: is(`${b.containerIp}/32`), in: not(m.network.br), proto: b.proto, dport: b.containerPort }, DROP, 'direct-access-drop', about);
    p.appendUnique(direct);
    if (b.hostIp.startsWith('127.')) {
      p.appendUnique(rule('raw', 'PREROUTING', { dst: is(`${b.hostIp}/32`), in: not('lo'), proto: b.proto, dport: b.hostPort }, DROP, 'loopback-port-drop', about));
    }
    if (b.proto === 'sctp') p.appendUnique(sctpChecksum(m));
  }
  return p.done(host.name, layout, true);
}
