// `ports:`, `expose:` and `listen:` lists. Every list item yields exactly one entry, also an unreadable one, so an
// index reported by the engine (ErrorHint.index) still points at the right line.
import { isMap } from 'yaml';
import { listenSpecError } from '../../engine';
import { isIPv6Address } from '../addresses';
import { exposeSpecError, portSpecError } from '../portSpec';
import type { Field, Item, ParseContext } from '../reader';
import { PORT_LONG_KEYS } from '../schema';

export function readPorts(ctx: ParseContext, f: Field): string[] {
  const out: string[] = [];
  for (const item of ctx.items(f, 'ports') ?? []) {
    const spec = isMap(item.node) ? longPortToShort(ctx, item) : ctx.string(item, 'each entry of ports');
    if (spec === undefined) {
      out.push('');
      continue;
    }
    const err = portSpecError(spec);
    if (err) ctx.error(item, err, 'port');
    out.push(spec);
  }
  return out.slice(); // exact size: kept in the spec for the life of the document
}

export function readExpose(ctx: ParseContext, f: Field): string[] {
  const out: string[] = [];
  for (const item of ctx.items(f, 'expose') ?? []) {
    const spec = ctx.string(item, 'each entry of expose') ?? '';
    const err = spec === '' ? undefined : exposeSpecError(spec);
    if (err) ctx.error(item, err, 'port');
    out.push(spec);
  }
  return out.slice();
}

/** `listen:` (not Docker's): PORT[-PORT][/tcp|udp] per entry. */
export function readListen(ctx: ParseContext, f: Field): string[] {
  const out: string[] = [];
  for (const item of ctx.items(f, 'listen') ?? []) {
    const spec = ctx.string(item, 'each entry of listen') ?? '';
    const err = spec === '' ? undefined : listenSpecError(spec);
    if (err) ctx.error(item, err, 'port');
    out.push(spec);
  }
  return out;
}

/** Compose's long syntax { target, published, host_ip, protocol } as the `-p` string it means. */
function longPortToShort(ctx: ParseContext, item: Item): string | undefined {
  let target: string | undefined;
  let published: string | undefined;
  let hostIp: string | undefined;
  let protocol: string | undefined;
  for (const p of ctx.fields(item, 'a port', PORT_LONG_KEYS) ?? []) {
    if (p.key === 'target') target = ctx.string(p, 'target');
    else if (p.key === 'published') published = ctx.string(p, 'published');
    else if (p.key === 'host_ip') hostIp = ctx.string(p, 'host_ip');
    else if (p.key === 'protocol') protocol = ctx.string(p, 'protocol');
    else ctx.oneOf(p, 'mode', ['ingress', 'host'] as const);
  }
  if (target === undefined) {
    ctx.error(item, 'A port in the long form needs target (the container port), e.g. { target: 80, published: 8080 }.', 'port');
    return undefined;
  }
  const ip = hostIp === undefined ? '' : isIPv6Address(hostIp) ? `[${hostIp}]:` : `${hostIp}:`;
  const proto = protocol === undefined ? '' : `/${protocol}`;
  if (ip === '' && published === undefined) return `${target}${proto}`;
  return `${ip}${published ?? ''}:${target}${proto}`;
}
