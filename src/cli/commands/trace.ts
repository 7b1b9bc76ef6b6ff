// cnm trace FILE --from SRC --to DST[:PORT][/tcp|udp|icmp] [--json] — one packet, hop by hop: the
// verdict (delivered, refused, dropped, unresolved), the reason and how to fix it.
import { parseDestination, TraceInputError, tracerFor, type EngineState, type TraceResult } from '../../engine';
import type { VerifyRequest } from '../../live/verify';
import { stringOption, expectPositionals } from '../args';
import { EXIT_OK, UsageError } from '../errors';
import type { Command } from './command';
import { loadFile, noteErrors, sourceName } from './load';
import { formatTrace, formatVerify, listeningFromSpec, traceJson, verifyJson } from './tracing';

export const traceCommand: Command = {
  name: 'trace',
  usage: 'cnm trace FILE --from SRC --to DST [--json] [--verify]',
  summary: 'trace a packet hop by hop: verdict, rule, reason',
  details:
    'SRC: a container or host name, or an IPv4 address nothing in FILE has: a client outside the topology, on a\n' +
    'host\'s LAN or beyond its gateway (the way in: DST is then a host\'s name or address and a port published there).\n' +
    'DST: NAME|IP[:PORT][/tcp|udp|icmp]; no port means ICMP echo (ping), a port\n' +
    'without protocol means TCP. --host H picks the host of SRC when names repeat across hosts.\n' +
    'A DST outside the topology (1.1.1.1:443) ends where it leaves the host (hosts.<h>.gateway names the default\n' +
    'route), after MASQUERADE, with the source it leaves with; beyond that the verdict is unknown.\n' +
    'Output: numbered hops (name resolution, routes, veths, bridges, each netfilter chain and the rule that\n' +
    'decided, NAT, docker-proxy, the destination socket, the reply), then the verdict with its reason and a fix.\n' +
    'With --json: {"verdict", "reason", "fix" (when there is one), "hops": [{"node", "interface", "action", "detail"}]}.\n' +
    'With --docker: what each container really listens on (its sockets, read from /proc or through docker exec),\n' +
    'its routes, and the host\'s own routes, iptables rules and sysctls decide; what cannot be read makes the verdict unknown, or is\n' +
    'named in the hops (rules: dockerd\'s as modelled).\n' +
    '--verify (with --docker): also runs the real probe (ping, nc, nslookup inside SRC; a TCP connect from the host)\n' +
    'and prints the observed verdict beside the predicted one; --json adds "observed" {verdict, detail, command,\n' +
    'exitCode, output}, "agree" and "explanation". UDP is counted by the receiving container (/proc/net/snmp);\n' +
    'UDP to what is no container, and ping from the host, are reported as inconclusive.',
  options: { from: { type: 'string' }, to: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' }, verify: { type: 'boolean' } },
  run({ values, positionals }, io) {
    const [file] = expectPositionals('trace', positionals, ['FILE']) as [string];
    const fromArg = stringOption('trace', values, 'from', true)!;
    const to = stringOption('trace', values, 'to', true)!;
    const host = stringOption('trace', values, 'host', false);
    const dst = parseDestination(to);
    if ('error' in dst) throw new UsageError(`trace: --to ${to}: ${dst.error}`);
    if (values.verify && !io.verify) throw new UsageError('trace: --verify needs --docker [ENDPOINT] (a live host to probe)');
    const loaded = loadFile(io, file);
    const from = sourceName(loaded, fromArg);
    let result: TraceResult;
    try {
      result = tracerFor(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) }).trace({
        ...(host !== undefined ? { host } : {}), from, to: dst.to, proto: dst.proto, ...(dst.port !== undefined ? { port: dst.port } : {}), ...(dst.family ? { family: dst.family } : {}),
      });
    } catch (err) {
      if (err instanceof TraceInputError) throw new UsageError(`trace: ${err.message} in ${file}`);
      throw err;
    }
    if (values.verify && io.verify) {
      const request: VerifyRequest = { from, to: dst.to, proto: dst.proto, ...(dst.port !== undefined ? { port: dst.port } : {}), fromHost: isHostName(loaded.engine.state, from) };
      const verify = io.verify;
      return (async () => {
        // A VerifyInputError comes back as a UsageError (see docker.ts, which loads the live part).
        const v = await verify(request, result);
        io.out(values.json ? JSON.stringify({ ...traceJson(result), ...verifyJson(v) }, null, 2) + '\n' : formatTrace(result) + formatVerify(v));
        noteErrors(io, file, loaded);
        return EXIT_OK;
      })();
    }
    io.out(values.json ? JSON.stringify(traceJson(result), null, 2) + '\n' : formatTrace(result));
    noteErrors(io, file, loaded);
    return EXIT_OK;
  },
};

/** SRC names a host (the tracer looks for a container of that name first, as here). */
function isHostName(state: EngineState, name: string): boolean {
  for (const h of state.hosts.values()) for (const c of h.containers.values()) if (c.name === name) return false;
  return state.hosts.has(name);
}
