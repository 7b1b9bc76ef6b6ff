// Moved to src/lab/labTeardown.ts (the CLI's `cnm lab` ships it); the Docker tests keep importing it from here.
export * from '../../../src/lab/labTeardown';
