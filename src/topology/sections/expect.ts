// `expect:` — reachability assertions ({ from, to, verdict }), checked by the language server and `cnm check`.
import type { Field, ParseContext } from '../reader';
import { EXPECT_KEYS, VERDICTS } from '../schema';
import type { ExpectSpec } from '../spec';

export function parseExpect(ctx: ParseContext, section: Field | undefined): ExpectSpec[] {
  const out: ExpectSpec[] = [];
  for (const item of (section && ctx.items(section, 'expect')) ?? []) {
    let from: string | undefined;
    let to: string | undefined;
    let verdict: ExpectSpec['verdict'] | undefined;
    const fields = ctx.fields(item, 'an expect entry', EXPECT_KEYS);
    if (!fields) continue;
    for (const f of fields) {
      if (f.key === 'from') from = ctx.string(f, 'from');
      else if (f.key === 'to') to = ctx.string(f, 'to');
      else verdict = ctx.oneOf(f, 'verdict', VERDICTS);
    }
    const missing = [from === undefined && 'from', to === undefined && 'to', verdict === undefined && 'verdict'].filter(Boolean);
    if (missing.length > 0) {
      // Only complain about keys that are absent; a present but bad value already has its own diagnostic.
      const absent = missing.filter((k) => !fields.some((f) => f.key === k));
      if (absent.length > 0) {
        ctx.error(item, `An expect entry needs from, to and verdict (missing: ${absent.join(', ')}), e.g. { from: b1, to: "web:80", verdict: delivered }.`, 'expect');
      }
      continue;
    }
    out.push({ from: from!, to: to!, verdict: verdict!, path: item.path });
  }
  return out;
}
