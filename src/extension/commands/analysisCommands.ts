// The matrix and rules views, from a tree node (a file, a host), the palette or named arguments.
//   cnm.showMatrix({ file })          →  MatrixPanelState
//   cnm.showRules({ file, host?, table?, chain?, rule? })  →  RulesShown (the document, its text, the latest
//     trace's marks; with table/chain/rule, the line of that rule, selected)
import type { Ctx } from '../ctx';
import type { MatrixPanelState } from '../matrixPanel';
import type { RulesShown } from '../rulesView';
import { refuse, resolveInvocation } from './args';

export function showMatrixCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<MatrixPanelState | undefined> => {
    const inv = await resolveInvocation(ctx, arg, 'Show Reachability Matrix');
    if (!inv) return undefined;
    return ctx.matrices.open(inv.source);
  };
}

export function showRulesCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<RulesShown | { ok: false; error: string } | undefined> => {
    const inv = await resolveInvocation(ctx, arg, 'Show iptables Rules');
    if (!inv) return undefined;
    const host = typeof inv.args.host === 'string' ? inv.args.host : undefined;
    const hosts = inv.source.loaded.engine.hostNames();
    if (host !== undefined && !hosts.includes(host)) return refuse(ctx, inv, 'Show iptables Rules', `no host "${host}" (hosts: ${hosts.join(', ') || 'none'})`);
    // From a trace hop in the diagram: the rule (or chain policy) that decided it.
    const table = typeof inv.args.table === 'string' && /^(filter|nat|raw|mangle|security)$/.test(inv.args.table) ? inv.args.table : undefined;
    const chain = typeof inv.args.chain === 'string' && inv.args.chain.length <= 64 ? inv.args.chain : '';
    const rule = typeof inv.args.rule === 'string' && inv.args.rule.length <= 4000 ? inv.args.rule : null;
    return ctx.rules.show(inv.source, host, table ? { table, chain, rule } : undefined);
  };
}
