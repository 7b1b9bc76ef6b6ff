// The packet tracer: hop-by-hop paths through sandboxes, veths, bridges and dockerd's filter and nat
// rules, with a verdict, a reason and a fix; the reachability matrix; `expect` checks.
export type * from './types';
export { Tracer, TraceInputError, trace, tracerFor } from './tracer';
export { parseDestination, formatDestination, type Destination } from './destination';
export { reachabilityMatrix, matrixCells, type MatrixResult, type MatrixCell, type MatrixContainer, type MatrixProbe, type GroupCell } from './matrix';
export { checkExpectation, checkExpectations, expectationProblem, type Expectation, type ExpectationResult } from './expect';
export { listeningFromTopology, listenPortsOf, type ListenEntry } from './listening';
export type { TraceDriver, LinkWalk, VxlanTunnel, SandboxSide, HostSide } from './linkDrivers';
export { formatV4, parseV4, v4, type V4, type HostIndex, type Route4 } from './hostIndex';
export type { Leg, Ns, Pkt, Cause } from './packet';
