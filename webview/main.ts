// The diagram webview's script (dist/webview.js). Placeholder: renders a heading until the
// diagram issue draws the topology with d3.
const heading = document.createElement('h1');
heading.textContent = 'CNM Explorer';
document.body.appendChild(heading);
