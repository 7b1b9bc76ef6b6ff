// Topology texts the LSP tests open: shaped like the examples (a lab with bridges, a macvlan network,
// container-mode sharing, expect entries), each with the mistakes a test is about.

export const LAB = `name: seed-lab
hosts:
  host1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: "20.10" }
networks:
  mybridge10:
    driver: bridge
    subnet: 10.10.0.0/16
    gateway: 10.10.0.1
    ip_range: 10.10.5.0/24
    aux_addresses: { router: 10.10.0.254 }
  backend:
    driver: bridge
    subnet: 10.20.0.0/24
    driver_opts: { com.docker.network.bridge.enable_icc: "false" }
containers:
  web:
    image: nginx
    networks:
      mybridge10: { ipv4_address: 10.10.5.9, aliases: [www] }
    ports: ["8080:80", "127.0.0.1:9090:90/udp"]
    expose: ["80/tcp"]
  b1:
    image: busybox
    networks: [mybridge10, backend]
  b2:
    image: busybox
    network_mode: container:b1
  b3:
    image: busybox
  b4:
    image: busybox
expect:
  - { from: b1, to: "web:80", verdict: delivered }
  - { from: b3, to: "b4", verdict: delivered }
`;

/** One of each mistake the diagnostics must catch. */
export const MISTAKES = `name: broken-lab
hosts:
  host1:
    interfaces: { eth0: 192.168.50.10/24 }
    daemon: { version: "20.10" }
  host2:
    interfaces: { eth0: 192.168.50.11/24 }
networks:
  front:
    subnet: 10.10.0.0/16
    gateway: 10.10.0.1
    ip_range: 10.10.5.0/24
  back:
    subnet: 10.10.0.0/24
  lan:
    subnet: 192.168.50.0/24
  wide:
    driver: overlay
    attachable: true
    subnet: 10.20.0.0/24
  badgw:
    subnet: 10.30.0.0/24
    gateway: 10.31.0.1
containers:
  web:
    image: nginx
    networks:
      front: { ipv4_address: 10.10.0.7 }
    ports: ["127.0.0.1:9090:90"]
    expose: ["90"]
    colour: blue
  hosty:
    image: busybox
    network_mode: host
    ports: ["8000:80"]
  loner:
    image: busybox
  other:
    image: busybox
  far:
    host: host2
    image: busybox
    networks: [wide]
  typo:
    image: busybox
    networks: [frnot]
  counted:
    image: busybox
    expose: yes
expect:
  - { from: loner, to: "other", verdict: delivered }
  - { from: loner, to: "192.168.50.10:9090", verdict: delivered }
`;

/** Expect entries that hold and fail: web on two bridges, one with inter-container communication off. */
export const EXPECT_LAB = `name: expect-lab
networks:
  front:
    subnet: 10.1.0.0/24
  locked:
    subnet: 10.3.0.0/24
    driver_opts: { com.docker.network.bridge.enable_icc: "false" }
containers:
  web:
    image: nginx
    networks: [front, locked]
    expose: ["80"]
  client:
    image: busybox
    networks: [front]
  intruder:
    image: busybox
    networks: [locked]
expect:
  - { from: client, to: "web:80", verdict: delivered }
  - { from: intruder, to: "web:80", verdict: delivered }
`;

/** A generated topology of n containers over n/50 networks (benchmarks and big-file tests). */
export function bigTopology(containers: number): string {
  const networks = Math.max(1, Math.ceil(containers / 50));
  const lines = ['name: big', 'networks:'];
  for (let i = 0; i < networks; i++) lines.push(`  net${i}:`, '    driver: bridge', `    subnet: 10.${Math.floor(i / 256)}.${i % 256}.0/24`);
  lines.push('containers:');
  for (let i = 0; i < containers; i++) {
    const net = i % networks;
    lines.push(`  c${i}:`, '    image: busybox', '    networks:', `      net${net}: { ipv4_address: 10.${Math.floor(net / 256)}.${net % 256}.${10 + Math.floor(i / networks)} }`, `    expose: ["80"]`);
  }
  lines.push('expect:', '  - { from: c0, to: "c1:80", verdict: delivered }');
  return `${lines.join('\n')}\n`;
}
