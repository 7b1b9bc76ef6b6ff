export declare const root: string;
export declare const manifest: { name: string; publisher: string; version: string; [key: string]: unknown };
export declare const extensionFolderName: string;
export declare const screenshotsDir: string;
