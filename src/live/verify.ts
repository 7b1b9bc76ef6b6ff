// Verify a predicted trace on the live host: run the real probe where the packet starts and set what
// happened beside what the tracer said. In a container: `docker exec` of busybox's nslookup, ping and
// nc (argv arrays, never a shell line); UDP by the receiving container's counters around datagrams
// busybox tftp sends; from the host itself: a TCP connect from this process, to loopback or to a
// container's address only.
import { connect } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { TraceProto, TraceResult, Verdict } from '../engine';
import { DockerApiError, readUdpCounters, type DockerClient, type ExecResult } from '../docker';

export type ObservedVerdict = Verdict | 'inconclusive';

export interface VerifyRequest {
  /** A container (name or id), or the host when `fromHost`. */
  readonly from: string;
  /** A name (resolved inside the source container) or an IPv4 address. */
  readonly to: string;
  readonly proto: TraceProto;
  readonly port?: number;
  /** `from` is the Docker host's own namespace, not a container. */
  readonly fromHost?: boolean;
}

export interface ObservedProbe {
  readonly verdict: ObservedVerdict;
  /** What happened, in plain words. */
  readonly detail: string;
  /** The probe as run (one line; several steps are separated by "; "). */
  readonly command: string;
  /** The deciding step's exit code (null: none, e.g. a connect from this process or a timeout). */
  readonly exitCode: number | null;
  readonly output: string;
  /** The address probed, after name resolution. */
  readonly address?: string;
}

/**
 * Predicted beside observed: agree, disagree, not verified (the probe was inconclusive), or unpredicted
 * (the tracer said `unknown`: there is nothing to agree with, the probe alone tells what happened).
 */
export type VerifyOutcome = 'agree' | 'disagree' | 'inconclusive' | 'unpredicted';

export interface VerifyResult {
  readonly predicted: TraceResult;
  readonly observed: ObservedProbe;
  /** The observed verdict is the predicted one (never true when the probe was inconclusive or the prediction unknown). */
  readonly agree: boolean;
  readonly outcome: VerifyOutcome;
  readonly explanation: string;
}

export function verifyOutcome(predicted: TraceResult, observed: ObservedProbe): VerifyOutcome {
  if (predicted.verdict === 'unknown') return 'unpredicted';
  if (observed.verdict === 'inconclusive') return 'inconclusive';
  return observed.verdict === predicted.verdict ? 'agree' : 'disagree';
}

/** A request that cannot be probed safely as given (a malformed name, address or port). */
export class VerifyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyInputError';
  }
}

/** Docker's own container-name rule, or a hex id. */
const CONTAINER_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** A DNS name as a container would look it up; no leading '-' so it never reads as an option. */
const DNS_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,252})$/;
const PROBE_WAIT_S = 2;
/** Bound on one docker exec, beyond the command's own (ping -W, nc -w, nslookup's retries). */
const EXEC_TIMEOUT_MS = 20_000;

export async function verifyTrace(client: DockerClient, request: VerifyRequest, predicted: TraceResult): Promise<VerifyResult> {
  const target = checkRequest(request);
  const observed = request.fromHost ? await probeFromHost(client, request, target) : await probeFromContainer(client, request, target);
  const outcome = verifyOutcome(predicted, observed);
  return { predicted, observed, agree: outcome === 'agree', outcome, explanation: explain(predicted, observed) };
}

type Target = { kind: 'address'; address: string } | { kind: 'name'; name: string };

function checkRequest(r: VerifyRequest): Target {
  if (!r.fromHost && !CONTAINER_REF.test(r.from)) throw new VerifyInputError(`not a container name or id: "${r.from}"`);
  if (r.proto !== 'icmp' && r.proto !== 'tcp' && r.proto !== 'udp') throw new VerifyInputError(`unknown protocol "${String(r.proto)}"`);
  if (r.proto !== 'icmp' && !(Number.isInteger(r.port) && r.port! >= 1 && r.port! <= 65535)) throw new VerifyInputError(`${r.proto.toUpperCase()} needs a port 1-65535`);
  if (ipaddr.IPv4.isValidFourPartDecimal(r.to)) return { kind: 'address', address: ipaddr.IPv4.parse(r.to).toString() };
  // An IPv6 literal (busybox's ping and nc take one as it is); names resolve to IPv4 here, as before.
  if (ipaddr.IPv6.isValid(r.to) && !r.to.includes('%')) return { kind: 'address', address: ipaddr.IPv6.parse(r.to).toString() };
  if (ipaddr.isValid(r.to)) throw new VerifyInputError(`not an IPv4 or IPv6 address: "${r.to}"`);
  if (!DNS_NAME.test(r.to)) throw new VerifyInputError(`not a name or IP address: "${r.to}"`);
  return { kind: 'name', name: r.to };
}

function inconclusive(detail: string, command = '', output = ''): ObservedProbe {
  return { verdict: 'inconclusive', detail, command, exitCode: null, output };
}

const UDP_NOTE = 'UDP cannot be observed reliably: a datagram that arrives gets no answer unless the service replies, and silence looks the same as a drop';

// ---------------------------------------------------------------------------------------------------
// In the source container

async function probeFromContainer(client: DockerClient, r: VerifyRequest, target: Target): Promise<ObservedProbe> {
  let running: boolean;
  try {
    running = (await client.inspectContainer(r.from)).running;
  } catch (err) {
    if (err instanceof DockerApiError && err.status === 404) return inconclusive(`no container ${r.from} on the host: nothing to probe from`);
    throw err;
  }
  if (!running) return inconclusive(`${r.from} is not running: nothing can be run inside it`);
  const steps: string[] = [];
  const outputs: string[] = [];
  let address: string;
  if (target.kind === 'name') {
    const argv = ['nslookup', target.name];
    steps.push(shown(r.from, argv));
    const res = await runIn(client, r.from, argv);
    const text = outputOf(res);
    outputs.push(text);
    const missing = missingTool(res, 'nslookup');
    if (missing) return inconclusive(missing, steps.join('; '), text);
    const found = resolvedAddresses(res.stdout);
    if (found.length === 0) {
      return { verdict: 'unresolved', detail: `${target.name} does not resolve in ${r.from}`, command: steps.join('; '), exitCode: res.exitCode, output: text };
    }
    address = found[0]!;
  } else address = target.address;

  if (r.proto === 'udp') return probeUdp(client, r, target, address, steps, outputs);
  const argv = r.proto === 'icmp' ? ['ping', '-c1', `-W${PROBE_WAIT_S}`, address] : ['nc', '-w', String(PROBE_WAIT_S), address, String(r.port)];
  steps.push(shown(r.from, argv));
  const res = await runIn(client, r.from, argv);
  const text = outputOf(res);
  outputs.push(text);
  const output = outputs.join('\n').trim();
  const base = { command: steps.join('; '), exitCode: res.exitCode, output, address };
  const missing = missingTool(res, argv[0]!);
  if (missing) return { ...inconclusive(missing), ...base, verdict: 'inconclusive' };
  // For a name, say what it resolved to: that is half of what was observed.
  const dest = `${target.kind === 'name' ? `${target.name} (${address})` : address}${r.proto === 'icmp' ? '' : `:${r.port}`}`;
  if (res.timedOut) return { ...base, verdict: 'inconclusive', detail: `the probe did not finish within ${EXEC_TIMEOUT_MS / 1000} s` };
  if (res.exitCode === 0) return { ...base, verdict: 'delivered', detail: r.proto === 'icmp' ? `${dest} answered the ping` : `connected to ${dest}` };
  if (r.proto === 'tcp' && /connection refused/i.test(text)) return { ...base, verdict: 'refused', detail: `${dest} refused the connection` };
  const why = /no route to host/i.test(text) ? 'no route to host' : `no answer within ${PROBE_WAIT_S} s`;
  return { ...base, verdict: 'dropped', detail: `${dest}: ${why}` };
}

/**
 * UDP, observed where it lands: the receiving container's UDP counters (/proc/net/snmp) before and after
 * a few datagrams sent from the source (busybox tftp, killed after 1 s by busybox timeout: it only sends). InDatagrams up:
 * a socket took them (delivered); NoPorts up: none is bound there (refused, ICMP port unreachable);
 * neither: they never arrived (dropped). The receiver must be a container of this host.
 */
async function probeUdp(client: DockerClient, r: VerifyRequest, target: Target, address: string, steps: string[], outputs: string[]): Promise<ObservedProbe> {
  const dest = `${target.kind === 'name' ? `${target.name} (${address})` : address}:${r.port}`;
  const receiver = (await client.containers()).find((c) => c.running && c.endpoints.some((e) => e.ipv4Address === address || e.ipv6Address === address));
  if (!receiver) return { ...inconclusive(`UDP is counted where it lands: ${address} is no running container's address on this host, so no receiving side can count the datagrams`, steps.join('; '), outputs.join('\n').trim()), address };
  const before = await readUdpCounters(client, receiver);
  if (!before) return { ...inconclusive(`UDP is counted where it lands: the UDP counters of ${receiver.name} (/proc/net/snmp) could not be read`, steps.join('; '), outputs.join('\n').trim()), address };
  // Through the busybox binary itself: an image may carry it without an applet link for timeout or tftp.
  const argv = ['busybox', 'timeout', '-s', 'KILL', '1', 'busybox', 'tftp', '-g', '-r', 'cnm-verify', '-l', '/dev/null', address, String(r.port)];
  steps.push(shown(r.from, argv));
  const res = await runIn(client, r.from, argv);
  const text = outputOf(res);
  outputs.push(text);
  const missing = missingTool(res, 'busybox');
  const base = { command: `${steps.join('; ')}; UDP counters of ${receiver.name} (${before.via === 'proc' ? `/proc/${receiver.pid}/net/snmp` : `docker exec ${receiver.name} cat /proc/net/snmp`}) before and after`, exitCode: res.exitCode, output: outputs.join('\n').trim(), address };
  if (missing || /applet not found/.test(text)) return { ...base, verdict: 'inconclusive', detail: missing ?? 'the container has no usable `tftp` to send a datagram with' };
  // A datagram counted a moment after it was sent: let the receiving side catch up.
  await new Promise((done) => setTimeout(done, 200));
  const after = await readUdpCounters(client, receiver);
  if (!after) return { ...base, verdict: 'inconclusive', detail: `the UDP counters of ${receiver.name} could not be read again` };
  const got = after.inDatagrams - before.inDatagrams;
  const noPort = after.noPorts - before.noPorts;
  const counted = `${receiver.name}'s UDP counters: InDatagrams +${got}, NoPorts +${noPort}`;
  if (noPort > 0 && got === 0) return { ...base, verdict: 'refused', detail: `${dest}: nothing is bound to ${r.port}/udp there (${counted}: answered with ICMP port unreachable)` };
  if (got > 0) return { ...base, verdict: 'delivered', detail: `${dest}: a socket took the datagrams (${counted})` };
  return { ...base, verdict: 'dropped', detail: `${dest}: the datagrams never arrived (${counted})` };
}

function runIn(client: DockerClient, container: string, argv: string[]): Promise<ExecResult> {
  return client.exec(container, argv, { timeoutMs: EXEC_TIMEOUT_MS });
}

function shown(container: string, argv: string[]): string {
  return `docker exec ${container} ${argv.join(' ')}`;
}

function outputOf(r: ExecResult): string {
  return `${r.stdout}${r.stderr}`.trim();
}

/** The image lacks the tool (exec's 126/127, or the runtime's "executable file not found"). */
function missingTool(r: ExecResult, tool: string): string | null {
  if (r.exitCode === 126 || r.exitCode === 127 || /executable file not found|applet not found/i.test(outputOf(r))) {
    return `the container has no usable \`${tool}\` (exit ${r.exitCode}): the probe needs busybox-style tools in the image`;
  }
  return null;
}

/**
 * IPv4 addresses of busybox nslookup's answer: the "Address:" lines after the first "Name:" line
 * (the ones before it are the server's own address).
 */
export function resolvedAddresses(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => /^Name:/.test(l.trim()));
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    const m = /^Address(?:\s+\d+)?:\s*(\S+)/.exec(l.trim());
    if (m && ipaddr.IPv4.isValidFourPartDecimal(m[1]!) && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// From the host's own namespace

async function probeFromHost(client: DockerClient, r: VerifyRequest, target: Target): Promise<ObservedProbe> {
  if (!client.local) return inconclusive(`the Docker host (${client.description}) is not this machine: probes from its own namespace cannot run from here`);
  if (r.proto === 'udp') return inconclusive(UDP_NOTE);
  if (r.proto === 'icmp') return inconclusive('no ping from the host: it needs raw sockets; from the host only TCP is observed (give a port)');
  if (target.kind === 'name') return inconclusive(`the host does not use Docker's DNS: give an address instead of the name ${target.name}`);
  const address = target.address;
  if (address.includes(':')) return inconclusive(`${address}: IPv6 is probed from a container only (give --from a container)`);
  // Only loopback (published ports) and the host's own containers: nothing else is ever contacted.
  if (ipaddr.IPv4.parse(address).range() !== 'loopback') {
    const containers = await client.containers();
    const ours = containers.some((c) => c.endpoints.some((e) => e.ipv4Address === address));
    if (!ours) return inconclusive(`${address} is neither loopback nor a container's address on this host: not probed`);
  }
  const port = r.port!;
  const outcome = await tcpConnect(address, port, PROBE_WAIT_S * 1000);
  const base = { command: `connect ${address}:${port} (TCP, from this process, ${PROBE_WAIT_S} s)`, exitCode: null, output: outcome.code, address };
  switch (outcome.result) {
    case 'connected':
      return { ...base, verdict: 'delivered', detail: `connected to ${address}:${port}` };
    case 'refused':
      return { ...base, verdict: 'refused', detail: `${address}:${port} refused the connection` };
    case 'timeout':
      return { ...base, verdict: 'dropped', detail: `${address}:${port}: no answer within ${PROBE_WAIT_S} s` };
    case 'unreachable':
      return { ...base, verdict: 'dropped', detail: `${address}:${port}: ${outcome.code} (unreachable)` };
    default:
      return { ...base, verdict: 'inconclusive', detail: `${address}:${port}: ${outcome.code}` };
  }
}

interface ConnectOutcome {
  result: 'connected' | 'refused' | 'timeout' | 'unreachable' | 'error';
  code: string;
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (o: ConnectOutcome) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ result: 'timeout', code: 'ETIMEDOUT' }), timeoutMs);
    socket.once('connect', () => finish({ result: 'connected', code: 'connected' }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      if (code === 'ECONNREFUSED') finish({ result: 'refused', code });
      else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') finish({ result: 'unreachable', code });
      else finish({ result: 'error', code });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Predicted beside observed, in words

/** The chain of an iptables-save rule line ("-A DOCKER-ISOLATION-STAGE-2 … -j DROP"). */
function chainOf(rule: string | undefined): string | null {
  return rule ? (/-A\s+(\S+)/.exec(rule)?.[1] ?? null) : null;
}

const HAPPENED: Record<Verdict, string> = {
  delivered: 'the packet was delivered',
  refused: 'the connection was refused',
  dropped: 'the packet was dropped (no answer)',
  unresolved: 'the name did not resolve',
  unknown: 'the outcome could not be observed',
};

export function explain(predicted: TraceResult, observed: ObservedProbe): string {
  const chain = chainOf(predicted.rule);
  const said = `predicted ${predicted.verdict}${predicted.verdict === 'dropped' && chain ? ` by ${chain}` : ''}`;
  const moved = predicted.address && observed.address && predicted.address !== observed.address ? ` (the model's address was ${predicted.address}, the container resolved ${observed.address})` : '';
  if (predicted.verdict === 'unknown') {
    const seen = observed.verdict === 'inconclusive' ? `the probe was inconclusive too: ${observed.detail}` : `the real probe observed ${observed.verdict}: ${observed.detail}`;
    return `no prediction to compare: the engine cannot know (${predicted.reason}); ${seen}${moved}`;
  }
  if (observed.verdict === 'inconclusive') return `${said}; not observed: ${observed.detail}`;
  if (observed.verdict === predicted.verdict) return `observed ${observed.verdict}, as predicted: ${observed.detail}${moved}`;
  return `${said}, but ${HAPPENED[observed.verdict]}: ${observed.detail}${moved}`;
}
