// The engine's packet tracer (src/engine/trace), adapted to the Tracer shape the diagram and the
// "Trace From Here" command use. Undefined until the tracer exists in the engine.
import type { Tracer } from './tracing';

export const engineTracer: Tracer | undefined = undefined;
