// Errors the CLI reports as one line on stderr with exit code 2 (bad arguments, unreadable file, a
// command that is not available yet) — never as a stack trace.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1; // validate: the file has errors; check: an expectation failed
export const EXIT_USAGE = 2;
