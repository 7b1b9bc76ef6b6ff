// Docker 20.10 (and 23–27, same IPv4 layout) rules, replayed the way libnetwork programs them
// [L drivers/bridge/setup_ip_tables.go, iptables/iptables.go, firewall_linux.go; reference §3.1]:
// driver init, then each bridge network in creation order (its rules inserted at the top, so newer
// networks sit above older ones), then each published port (appended, in mapping order).
import type { HostState } from '../model';
import { bridgeNetworks, portMappings, type BridgeNetwork } from './inputs';
import { RuleProgram } from './program';
import {
  ACCEPT, CHAIN, DROP, RETURN, conntrackAccept, hairpinMasquerade, iccRule, internalInDrop, internalOutDrop, is, jump,
  networkMasquerade, not, outputJump, portAccept, portDnat, portMasquerade, preroutingJump, rule, sctpChecksum, skipDnat,
} from './rules';
import type { RuleSet } from './types';

const userJump = rule('filter', 'FORWARD', {}, jump(CHAIN.user), 'docker-user');
const userReturn = rule('filter', CHAIN.user, {}, RETURN, 'return');
const isolationJump = rule('filter', 'FORWARD', {}, jump(CHAIN.stage1), 'isolation-jump');

export function legacyRules(host: HostState): RuleSet {
  const d = host.daemon;
  // setupIPForwarding: dockerd switched forwarding on, so it set the FORWARD policy to DROP.
  const p = new RuleProgram(d.iptables ? 'DROP' : 'ACCEPT');
  if (!d.iptables) return p.done(host.name, 'disabled');
  const hairpin = !d.userlandProxy;

  // setupIPChains (driver init)
  p.newChain('nat', CHAIN.docker);
  p.newChain('filter', CHAIN.docker);
  p.newChain('filter', CHAIN.stage1);
  p.newChain('filter', CHAIN.stage2);
  p.appendUnique(rule('filter', CHAIN.stage1, {}, RETURN, 'return'));
  p.appendUnique(rule('filter', CHAIN.stage2, {}, RETURN, 'return'));
  // The daemon's `none` and `host` networks come first: DOCKER-USER exists before docker0's rules.
  arrangeUserFilterRule(p);

  const networks = bridgeNetworks(host);
  for (const n of networks) {
    setupNetwork(p, n, hairpin);
    arrangeUserFilterRule(p);
  }
  for (const m of portMappings(host, networks)) {
    // iptables.Forward: each rule programmed unless an identical one exists.
    p.appendUnique(portDnat(m, hairpin));
    p.appendUnique(portAccept(m));
    p.appendUnique(portMasquerade(m));
    if (m.binding.proto === 'sctp') p.appendUnique(sctpChecksum(m));
  }
  return p.done(host.name, 'legacy');
}

/** controller.arrangeUserFilterRule: DOCKER-USER exists, ends in RETURN, and is jumped to first. */
function arrangeUserFilterRule(p: RuleProgram): void {
  p.newChain('filter', CHAIN.user);
  p.appendUnique(userReturn);
  p.ensureJumpAtTop(userJump);
}

/** bridgeNetwork.setupIPTables + isolateNetwork for one network. */
function setupNetwork(p: RuleProgram, n: BridgeNetwork, hairpin: boolean): void {
  const about = { network: n.net.name };
  if (n.internal) {
    // setupInternalNetworkRules: both drops inserted at the top (the outgoing one ends up first).
    p.insertUnique(internalInDrop(CHAIN.stage1, n));
    p.insertUnique(internalOutDrop(CHAIN.stage1, n));
    setIcc(p, n);
  } else {
    // setupIPTablesInternal
    if (n.masquerade) p.insertUnique(networkMasquerade(n));
    if (n.masquerade && !hairpin) p.insertUnique(skipDnat(n));
    if (hairpin) p.insertUnique(hairpinMasquerade(n));
    setIcc(p, n);
    p.insertUnique(rule('filter', 'FORWARD', { in: is(n.br), out: not(n.br) }, ACCEPT, 'outgoing-accept', about));
    // ProgramChain (nat): the jumps from PREROUTING and OUTPUT, appended once.
    p.appendUnique(preroutingJump());
    p.appendUnique(outputJump(hairpin));
    // ProgramChain (filter)
    p.insertUnique(rule('filter', 'FORWARD', { out: is(n.br) }, jump(CHAIN.docker), 'docker-jump', about));
    p.insertUnique(conntrackAccept('filter', 'FORWARD', n));
  }
  p.ensureJumpAtTop(isolationJump);
  if (!n.internal) {
    // setINC
    p.insertUnique(rule('filter', CHAIN.stage1, { in: is(n.br), out: not(n.br) }, jump(CHAIN.stage2), 'isolation-stage2', about));
    p.insertUnique(rule('filter', CHAIN.stage2, { out: is(n.br) }, DROP, 'isolation-drop', about));
  }
}

/** setIcc: ACCEPT inserted at the top, or DROP appended at the end of FORWARD. */
function setIcc(p: RuleProgram, n: BridgeNetwork): void {
  if (n.icc) {
    p.delete(iccRule('FORWARD', n, false));
    p.insertUnique(iccRule('FORWARD', n, true));
  } else {
    p.delete(iccRule('FORWARD', n, true));
    p.appendUnique(iccRule('FORWARD', n, false));
  }
}
