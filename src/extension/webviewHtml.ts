// The diagram webview's HTML: a strict Content-Security-Policy (scripts only with this page's nonce,
// styles and fonts only from the extension's own files, no network at all), the @vscode-elements
// bundle, the codicons, the diagram stylesheet and script. Pure: the caller passes the URIs.

export interface WebviewResources {
  /** webview.cspSource: the origin the webview serves local resources from. */
  cspSource: string;
  script: string; // dist/webview.js
  elements: string; // dist/vscode-elements.js
  codicons: string; // dist/codicons/codicon.css
  stylesheet: string; // media/diagram.css
  nonce: string;
}

export function diagramHtml(r: WebviewResources, title: string): string {
  const csp = [
    "default-src 'none'",
    `img-src ${r.cspSource} data:`,
    `style-src ${r.cspSource} 'nonce-${r.nonce}'`,
    `font-src ${r.cspSource}`,
    `script-src 'nonce-${r.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${r.codicons}" id="vscode-codicon-stylesheet" nonce="${r.nonce}">
<link rel="stylesheet" href="${r.stylesheet}" nonce="${r.nonce}">
<script type="module" src="${r.elements}" nonce="${r.nonce}"></script>
</head>
<body>
<div id="app" data-title="${escapeHtml(title)}"></div>
<script src="${r.script}" nonce="${r.nonce}"></script>
</body>
</html>`;
}

/** 24 random characters (144 bits) for the CSP nonce. */
export function makeNonce(random: (n: number) => Uint8Array): string {
  return Array.from(random(24), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[b & 63]).join('');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
