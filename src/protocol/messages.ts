// Messages between the extension host and the webview (placeholder: the diagram issue fills it in).
// Both sides import only this folder, so it holds types and tiny guards, nothing that does I/O.

/** Bumped whenever a message changes shape; the webview refuses snapshots of another version. */
export const PROTOCOL_VERSION = 1;

/** Host -> webview. */
export type HostMessage = { type: 'hello'; protocol: typeof PROTOCOL_VERSION };

/** Webview -> host. */
export type WebviewMessage = { type: 'ready'; protocol: typeof PROTOCOL_VERSION };

/** Every message from the webview is checked before the host acts on it. */
export function isWebviewMessage(value: unknown): value is WebviewMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'ready'
    && (value as { protocol?: unknown }).protocol === PROTOCOL_VERSION;
}
