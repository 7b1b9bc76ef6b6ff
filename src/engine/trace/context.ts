// What the tracer's steps share: where a trace starts, what it concludes, and the context a step runs in
// (tracer.ts makes it; arrival.ts, mesh.ts and names.ts use it).
import type { ContainerState, EngineState } from '../model';
import type { TraceSides } from './explain';
import type { HostIndex, V4 } from './hostIndex';
import type { TraceHop, Verdict } from './types';
import type { Leg, Ns, Walker, WorldIndex } from './walk';

/** The source port of a traced connection (a relayed one uses the next ports). */
export const EPHEMERAL_PORT = 40000;

export interface Source {
  readonly hx: HostIndex;
  readonly ns: Ns | null;
  readonly container: ContainerState | null;
  /** Why it cannot send at all (not running). */
  readonly down?: string;
}

export interface Outcome {
  verdict: Verdict;
  reason: string;
  fix?: string;
  rule?: string;
}

/** One tracer's view of the engine and the steps that call back into arrival (the routing mesh does). */
export interface TraceContext {
  readonly state: EngineState;
  readonly world: WorldIndex;
  /** Whether outcomes get their reason and fix (not in verdict-only runs). */
  explain: boolean;
  /** The connection of the current trace to a service (TraceQuery.connection): which task IPVS picks. */
  connection: number;
  /** The container (by endpoint) that owns an address, on any host. */
  ownerOf(a: V4): TraceSides['target'];
  /** What happens where the packet arrives (arrival.ts). */
  conclude(src: Source, origin: Ns, leg: Leg, walker: Walker, hops: TraceHop[] | null, dst: V4, depth: number): Outcome;
  /** The reply must come home for the sender to see anything (arrival.ts). */
  withReply(origin: Ns, leg: Leg & { ok: true }, walker: Walker, hops: TraceHop[] | null, sides: () => TraceSides, ok: Outcome, what: string): Outcome;
}
