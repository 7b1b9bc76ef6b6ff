// Go's container/heap over a plain array. A sandbox keeps its endpoints in such a heap, and libnetwork
// walks the array in heap order (not sorted order) to pick the gateway endpoint and to look up names,
// so the exact push/remove moves matter.

export type Less<T> = (a: T, b: T) => boolean;

function up<T>(h: T[], less: Less<T>, j0: number): void {
  let j = j0;
  for (;;) {
    const i = Math.floor((j - 1) / 2);
    if (j <= 0 || i === j || !less(h[j], h[i])) break;
    [h[i], h[j]] = [h[j], h[i]];
    j = i;
  }
}

function down<T>(h: T[], less: Less<T>, i0: number, n: number): boolean {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2], h[j1])) j = j2;
    if (!less(h[j], h[i])) break;
    [h[i], h[j]] = [h[j], h[i]];
    i = j;
  }
  return i > i0;
}

export function heapPush<T>(h: T[], less: Less<T>, x: T): void {
  h.push(x);
  up(h, less, h.length - 1);
}

export function heapRemove<T>(h: T[], less: Less<T>, i: number): T {
  const n = h.length - 1;
  if (n !== i) {
    [h[i], h[n]] = [h[n], h[i]];
    if (!down(h, less, i, n)) up(h, less, i);
  }
  return h.pop()!;
}
