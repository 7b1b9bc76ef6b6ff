// The allocation bitmap of one pool (libnetwork bitseq): ordinal i is the address base+i. Sparse, so an
// IPv6 /64 costs no more than a /24: only set ordinals are stored. "Lowest free" keeps a hint so filling
// a pool in order stays linear.

export class AddressBitmap {
  private readonly used = new Set<bigint>();
  /** No ordinal below this is free. */
  private lowestFreeHint = 0n;
  /** Lowest-free hints of ranges (keyed by their first ordinal). */
  private readonly rangeHints = new Map<bigint, bigint>();
  /** Serial allocation resumes after the last ordinal handed out (swarm). */
  private serialCursor = -1n;

  /** size - 1, and the size as a number when it is one exactly: made once, not on every request (each bigint step allocates). */
  private readonly last: bigint;
  private readonly sizeNumber: number;

  constructor(readonly size: bigint) {
    this.last = size - 1n;
    this.sizeNumber = size <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(size) : Infinity;
  }

  isSet(ordinal: bigint): boolean {
    return this.used.has(ordinal);
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
    if (this.used.has(ordinal)) return false;
    this.used.add(ordinal);
    return true;
  }

  unset(ordinal: bigint): void {
    if (!this.used.delete(ordinal)) return;
    if (ordinal < this.lowestFreeHint) this.lowestFreeHint = ordinal;
    for (const [start, hint] of this.rangeHints) {
      if (ordinal >= start && ordinal < hint) this.rangeHints.set(start, ordinal);
    }
  }

  /** bitseq.SetAny: the lowest free ordinal (or, serially, the next free one after the last). */
  setAny(serial = false): bigint | null {
    return this.setAnyInRange(0n, this.last, serial);
  }

  /** bitseq.SetAnyInRange: within [start, end] inclusive. */
  setAnyInRange(start: bigint, end: bigint, serial = false): bigint | null {
    const last = end < this.size ? end : this.last;
    if (start > last) return null;
    if (serial) return this.setSerial(start, last);
    const whole = start === 0n && last === this.last;
    let o = whole ? this.lowestFreeHint : (this.rangeHints.get(start) ?? start);
    if (o < start) o = start;
    while (o <= last && this.used.has(o)) o++;
    if (whole) this.lowestFreeHint = o;
    else this.rangeHints.set(start, o);
    if (o > last) return null;
    this.used.add(o);
    return o;
  }

  private setSerial(start: bigint, last: bigint): bigint | null {
    const span = last - start + 1n;
    let o = this.serialCursor + 1n;
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
