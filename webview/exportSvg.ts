// The diagram as a standalone SVG file: the whole drawing (not just what is in view), with the theme's
// colours resolved and written on each element, so it looks the same outside VS Code.
import type { DiagramLayout } from './layout';

const PROPS = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'opacity', 'font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor', 'dominant-baseline', 'visibility', 'display'];

export function exportSvg(svg: SVGSVGElement, layout: DiagramLayout | undefined): string {
  const margin = 20;
  const width = Math.ceil((layout?.width ?? svg.clientWidth) + margin * 2);
  const height = Math.ceil((layout?.height ?? svg.clientHeight) + margin * 2);
  const clone = svg.cloneNode(true) as SVGSVGElement;
  // Styles come from the live elements (the clone is not in the document, so it has none computed).
  const live = [svg, ...svg.querySelectorAll('*')];
  const copies = [clone, ...clone.querySelectorAll('*')];
  live.forEach((el, i) => {
    const copy = copies[i] as SVGElement | undefined;
    if (!copy || !(el instanceof SVGElement)) return;
    const cs = getComputedStyle(el);
    const style = PROPS.map((p) => [p, cs.getPropertyValue(p)] as const).filter(([, v]) => v && v !== 'normal' && v !== 'auto').map(([p, v]) => `${p}:${v}`).join(';');
    copy.removeAttribute('class');
    copy.removeAttribute('data-target');
    copy.removeAttribute('data-source');
    if (style) copy.setAttribute('style', style);
  });
  const viewport = clone.querySelector('g');
  viewport?.setAttribute('transform', `translate(${margin},${margin})`);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', getComputedStyle(document.body).backgroundColor || '#ffffff');
  clone.insertBefore(background, clone.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
}
