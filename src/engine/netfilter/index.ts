// dockerd's filter and nat rules, derived from the engine state; printed in iptables-save form and
// evaluated packet by packet by the tracer.
export type * from './types';
export { formatRule, formatIptablesSave } from './format';
export { deriveHostRules, hostRules, engineRules } from './derive';
export { stateStamp } from './stamp';
export type { ContributedRule, NetworkRules } from './contributed';
export { is, not, rule, ACCEPT, RETURN, MASQUERADE, DROP } from './rules';
export { parseIptablesSave, hasDockerChains, tokenizeRule, IptablesSaveError, markDockerdRules, dockerdWrote } from './parse';
