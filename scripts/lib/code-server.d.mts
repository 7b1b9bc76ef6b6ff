export declare const extensionFiles: string[];
export declare const codeServerHome: string;
export declare function codeServerInstalled(): boolean;
export declare function freePort(from?: number): Promise<number>;
export declare function installExtensionFolder(extensionsDir: string): string;
export interface CodeServerOptions {
  workspace?: string;
  port?: number;
  userDataDir?: string;
  extensionsDir?: string;
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  logFile?: string;
  startupTimeoutMs?: number;
  /** VS Code's workspace trust stays on (off by default: the tests run trusted). */
  workspaceTrust?: boolean;
}
export interface CodeServer {
  port: number;
  url: string;
  pid: number;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  scratch: string;
  exited: Promise<number | string | null>;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}
export declare function startCodeServer(options?: CodeServerOptions): Promise<CodeServer>;
