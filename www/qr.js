// Draws a QR code the core encoded ({size, modules}) as an SVG image: one path,
// a four-module quiet zone, black on white whatever the page's colours.
const NS = 'http://www.w3.org/2000/svg';

export function qrSvg(matrix, label) {
  const { size, modules } = matrix;
  const quiet = 4;
  let d = '';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++)
      if (modules[y * size + x]) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  }
  const side = size + 2 * quiet;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${side} ${side}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('shape-rendering', 'crispEdges');
  const bg = document.createElementNS(NS, 'rect');
  bg.setAttribute('width', String(side));
  bg.setAttribute('height', String(side));
  bg.setAttribute('fill', '#fff');
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(bg, path);
  return svg;
}
