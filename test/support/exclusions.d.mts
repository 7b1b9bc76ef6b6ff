export interface Exclusion {
  readonly what: string;
  readonly why: string;
  readonly howToTell: string;
}
export interface Skip {
  readonly name: string;
  readonly kind: 'skip' | 'todo';
  readonly message: string;
}
export interface Excluded {
  readonly id: string;
  readonly name: string;
  readonly detail: string;
}
/** Anything with node:test's `skip(message)`. */
export interface Skippable {
  skip(message?: string): void;
}
export declare const EXCLUSIONS_FILE: string;
export declare function exclusions(): Map<string, Exclusion>;
export declare function exclusionMessage(id: string, detail: string): string;
export declare function exclude(t: Skippable, id: string, detail: string): void;
export declare function exclusionId(message: string | undefined): string | undefined;
export declare function unavailable(t: Skippable, reason: string): void;
export declare function tapSkips(tap: string): Skip[];
export declare function judgeSkips(skips: readonly Skip[], ci?: boolean): { excluded: Excluded[]; failed: Skip[]; skipped: Skip[] };
