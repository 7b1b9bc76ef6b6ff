// Moved to src/lab/lab.ts (the CLI's `cnm lab` ships it); the Docker tests keep importing it from here.
export * from '../../../src/lab/lab';
