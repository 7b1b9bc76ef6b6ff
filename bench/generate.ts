// Generator of large topology files for benchmarks and stress tests: N containers over M networks,
// deterministic (same options → same text), shaped like real files (block style, some containers on
// two networks, aliases, static addresses and published ports).

export interface GenerateOptions {
  containers: number;
  networks: number;
  /** Seed of the pseudo-random choices (default 1). */
  seed?: number;
  /** daemon.version of the single host (default "20.10"). */
  version?: string;
}

export function generateTopology(opts: GenerateOptions): string {
  const { containers, networks } = opts;
  if (networks < 1 || networks > 65536) throw new RangeError('networks must be between 1 and 65536');
  const random = mulberry32(opts.seed ?? 1);
  const netName = (i: number) => `net${String(i).padStart(4, '0')}`;
  const lines: string[] = [
    `name: bench-${containers}x${networks}`,
    'hosts:',
    '  host1:',
    `    daemon: { version: "${opts.version ?? '20.10'}" }`,
    'networks:',
  ];
  // One /24 per network out of 10.64.0.0/10, clear of Docker's default pools (172.17+, 192.168/16).
  for (let i = 0; i < networks; i++) {
    lines.push(`  ${netName(i)}:`, `    subnet: 10.${64 + (i >> 8)}.${i & 255}.0/24`);
  }
  lines.push('containers:');
  const perNetwork = new Array<number>(networks).fill(0);
  const staticsPerNetwork = new Array<number>(networks).fill(0);
  let hostPort = 20000;
  for (let i = 0; i < containers; i++) {
    const first = i % networks;
    const second = random() < 0.2 ? Math.floor(random() * networks) : -1;
    lines.push(`  c${String(i).padStart(5, '0')}:`, '    image: busybox');
    const extras: string[] = [];
    if (random() < 0.1) extras.push(`aliases: [svc${i}]`);
    // A static address high in the /24, out of the way of the dynamic ones (.2 upwards).
    if (random() < 0.05 && staticsPerNetwork[first]! < 50) {
      extras.push(`ipv4_address: 10.${64 + (first >> 8)}.${first & 255}.${200 + staticsPerNetwork[first]!++}`);
    }
    perNetwork[first]!++;
    if (second >= 0 && second !== first) {
      lines.push('    networks:', `      ${netName(first)}: ${extras.length ? `{ ${extras.join(', ')} }` : ''}`.trimEnd(), `      ${netName(second)}:`);
      perNetwork[second]!++;
    } else if (extras.length > 0) {
      lines.push('    networks:', `      ${netName(first)}: { ${extras.join(', ')} }`);
    } else {
      lines.push(`    networks: [${netName(first)}]`);
    }
    if (random() < 0.1 && hostPort < 65000) lines.push(`    ports: ["${hostPort++}:80"]`);
    lines.push('    expose: ["80"]');
  }
  return lines.join('\n') + '\n';
}

/** Small, fast, seedable PRNG (mulberry32, public domain); the fuzz tests use it too. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// `node --import tsx bench/generate.ts 10000 1000 > big.cnm.yaml`
if (process.argv[1] && /generate\.ts$/.test(process.argv[1])) {
  const [c = '10000', n = '1000'] = process.argv.slice(2);
  process.stdout.write(generateTopology({ containers: Number(c), networks: Number(n) }));
}
