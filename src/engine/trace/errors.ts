// The tracer's input errors, in a module of their own so every step can throw them.

/** A question the tracer cannot answer because it is malformed (unknown source, no port for TCP…). */
export class TraceInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceInputError';
  }
}
