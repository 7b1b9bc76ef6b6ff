// Value-by-value comparison for the lab suites that compare dockerd's objects with the engine's field by
// field (multihost.test.ts, services.test.ts): each difference is kept with both sides as JSON.

export interface Disagreement {
  field: string;
  dockerd: string;
  engine: string;
}

const show = (v: unknown): string => JSON.stringify(v);

/** Records a disagreement on `field` when dockerd's value `d` and the engine's `e` differ (as JSON). */
export function compareField(out: Disagreement[], field: string, d: unknown, e: unknown): void {
  if (show(d) !== show(e)) out.push({ field, dockerd: show(d), engine: show(e) });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` stops throwing (overlay peers, DNS records and tasks spread over a few seconds). */
export async function eventually<T>(fn: () => Promise<T>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await sleep(1000);
    }
  }
}
