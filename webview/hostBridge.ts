// The webview's side of the protocol: VS Code's messaging API (or a fake host in tests), with every
// incoming message checked before the diagram sees it.
import { isHostMessage, type HostMessage, type WebviewMessage } from '../src/protocol/messages';

export interface WebviewState {
  file?: string;
  transform?: { x: number; y: number; k: number };
  /** The transform is the user's own (zoomed or panned), not a fit. */
  userMoved?: boolean;
  selection?: string | null;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface HostBridge {
  post(message: WebviewMessage): void;
  onMessage(handler: (message: HostMessage) => void): void;
  state(): WebviewState;
  saveState(patch: Partial<WebviewState>): void;
}

export function connectHost(): HostBridge {
  const api: VsCodeApi = typeof acquireVsCodeApi === 'function'
    ? acquireVsCodeApi()
    : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };
  let current: WebviewState = asState(api.getState());
  return {
    post: (message) => api.postMessage(message),
    onMessage: (handler) => {
      window.addEventListener('message', (event: MessageEvent) => {
        if (!isHostMessage(event.data)) {
          // Messages from anything but our host (or of another protocol version) are not ours to act on.
          return;
        }
        try {
          handler(event.data);
        } catch (e) {
          console.error('cnm diagram: handling a message failed', e);
        }
      });
    },
    state: () => current,
    saveState: (patch) => {
      current = { ...current, ...patch };
      api.setState(current);
    },
  };
}

function asState(v: unknown): WebviewState {
  return typeof v === 'object' && v !== null ? (v as WebviewState) : {};
}
