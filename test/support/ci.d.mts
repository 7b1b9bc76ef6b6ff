/** True under CI=true or CI=1. */
export declare function isCI(): boolean;
