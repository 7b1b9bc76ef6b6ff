import type { Browser } from 'playwright-core';
export declare const chromiumPath: string;
export declare function chromiumAvailable(): boolean;
export declare function launchChromium(): Promise<Browser>;
