// The allocation bitmap of one pool (libnetwork bitseq): ordinal i is the address base+i. Sparse, so an
// IPv6 /64 costs no more than a /24: only set ordinals are stored. "Lowest free" keeps a hint so filling
// a pool in order stays linear.
//
// Ordinals are bigint at the interface; inside, a pool whose ordinals are exact doubles (every IPv4 pool,
// IPv6 pools up to /75) keeps them as numbers: a bigint step allocates and hashes slowly, and a big file
// asks for tens of thousands of addresses. Larger pools keep bigints. Both behave the same.

type Ordinal = number | bigint;

export class AddressBitmap {
  private readonly used = new Set<Ordinal>();
  /** Ordinals as numbers (size within Number.MAX_SAFE_INTEGER), else as bigints. */
  private readonly small: boolean;
  /** No ordinal below this is free. */
  private lowestFreeHint: Ordinal;
  /** Lowest-free hints of ranges (keyed by their first ordinal). */
  private readonly rangeHints = new Map<Ordinal, Ordinal>();
  /** Serial allocation resumes after the last ordinal handed out (swarm). */
  private serialCursor: Ordinal;

  /** size - 1, and the size as a number when it is one exactly: made once, not on every request (each bigint step allocates). */
  private readonly last: bigint;
  private readonly sizeNumber: number;

  constructor(readonly size: bigint) {
    this.last = size - 1n;
    this.small = size <= BigInt(Number.MAX_SAFE_INTEGER);
    this.sizeNumber = this.small ? Number(size) : Infinity;
    this.lowestFreeHint = this.small ? 0 : 0n;
    this.serialCursor = this.small ? -1 : -1n;
  }

  private key(ordinal: bigint): Ordinal {
    return this.small ? Number(ordinal) : ordinal;
  }

  isSet(ordinal: bigint): boolean {
    return this.used.has(this.key(ordinal));
  }

  unselected(): bigint {
    return this.size - BigInt(this.used.size);
  }

  /** No ordinal is free (unselected() <= 0). */
  full(): boolean {
    return this.used.size >= this.sizeNumber;
  }

  /** Sets one ordinal; false when it was set already. */
  set(ordinal: bigint): boolean {
    if (ordinal < 0n || ordinal >= this.size) throw new RangeError('ordinal out of range');
    const k = this.key(ordinal);
    if (this.used.has(k)) return false;
    this.used.add(k);
    return true;
  }

  unset(ordinal: bigint): void {
    const k = this.key(ordinal);
    if (!this.used.delete(k)) return;
    if (k < this.lowestFreeHint) this.lowestFreeHint = k;
    for (const [start, hint] of this.rangeHints) {
      if (k >= start && k < hint) this.rangeHints.set(start, k);
    }
  }

  /** bitseq.SetAny: the lowest free ordinal (or, serially, the next free one after the last). */
  setAny(serial = false): bigint | null {
    return this.setAnyInRange(0n, this.last, serial);
  }

  /** bitseq.SetAnyInRange: within [start, end] inclusive. */
  setAnyInRange(start: bigint, end: bigint, serial = false): bigint | null {
    const lastBig = end < this.size ? end : this.last;
    if (start > lastBig) return null;
    if (!this.small) {
      if (serial) return this.setSerialBig(start, lastBig);
      return this.lowestFreeBig(start, lastBig);
    }
    const first = Number(start);
    const last = Number(lastBig);
    const o = serial ? this.setSerialSmall(first, last) : this.lowestFreeSmall(first, last);
    return o === null ? null : BigInt(o);
  }

  private lowestFreeSmall(start: number, last: number): number | null {
    const whole = start === 0 && last === this.sizeNumber - 1;
    let o = (whole ? this.lowestFreeHint : (this.rangeHints.get(start) ?? start)) as number;
    if (o < start) o = start;
    while (o <= last && this.used.has(o)) o++;
    if (whole) this.lowestFreeHint = o;
    else this.rangeHints.set(start, o);
    if (o > last) return null;
    this.used.add(o);
    return o;
  }

  private lowestFreeBig(start: bigint, last: bigint): bigint | null {
    const whole = start === 0n && last === this.last;
    let o = (whole ? this.lowestFreeHint : (this.rangeHints.get(start) ?? start)) as bigint;
    if (o < start) o = start;
    while (o <= last && this.used.has(o)) o++;
    if (whole) this.lowestFreeHint = o;
    else this.rangeHints.set(start, o);
    if (o > last) return null;
    this.used.add(o);
    return o;
  }

  private setSerialSmall(start: number, last: number): number | null {
    const span = last - start + 1;
    let o = (this.serialCursor as number) + 1;
    if (o < start || o > last) o = start;
    for (let i = 0; i < span; i++) {
      if (!this.used.has(o)) {
        this.used.add(o);
        this.serialCursor = o;
        return o;
      }
      o = o === last ? start : o + 1;
    }
    return null;
  }

  private setSerialBig(start: bigint, last: bigint): bigint | null {
    const span = last - start + 1n;
    let o = (this.serialCursor as bigint) + 1n;
    if (o < start || o > last) o = start;
    for (let i = 0n; i < span; i++) {
      if (!this.used.has(o)) {
        this.used.add(o);
        this.serialCursor = o;
        return o;
      }
      o = o === last ? start : o + 1n;
    }
    return null;
  }
}
