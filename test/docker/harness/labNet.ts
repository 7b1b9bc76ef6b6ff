// Moved to src/lab/labNet.ts (the CLI's `cnm lab` ships it); the Docker tests keep importing it from here.
export * from '../../../src/lab/labNet';
