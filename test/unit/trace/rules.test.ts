// The filter and nat rules dockerd installs, as `cnm rules` prints them: Docker 20.10's exact layout
// (reference §3.1), its variants, and the newer releases' layouts picked by daemon.version.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lab } from './helpers';

/** Reference §3.1.2, verbatim: fresh daemon + `docker network create mynet` + `docker run --network mynet -p 8080:80`. */
const REFERENCE_3_1_2 = `*filter
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o br-aaaaaaaaaaaa -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o br-aaaaaaaaaaaa -j DOCKER
-A FORWARD -i br-aaaaaaaaaaaa ! -o br-aaaaaaaaaaaa -j ACCEPT
-A FORWARD -i br-aaaaaaaaaaaa -o br-aaaaaaaaaaaa -j ACCEPT
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER -d 172.18.0.2/32 ! -i br-aaaaaaaaaaaa -o br-aaaaaaaaaaaa -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i br-aaaaaaaaaaaa ! -o br-aaaaaaaaaaaa -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o br-aaaaaaaaaaaa -j DROP
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
*nat
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.18.0.0/16 ! -o br-aaaaaaaaaaaa -j MASQUERADE
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A POSTROUTING -s 172.18.0.2/32 -d 172.18.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
-A DOCKER -i br-aaaaaaaaaaaa -j RETURN
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i br-aaaaaaaaaaaa -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80
`;

/** The same as iptables-save really prints it: with the built-in chains and COMMIT. */
const IPTABLES_SAVE_3_1_2 = REFERENCE_3_1_2
  .replace(':DOCKER - [0:0]\n:DOCKER-ISOLATION', ':INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n:DOCKER-ISOLATION')
  .replace('-A DOCKER-USER -j RETURN\n*nat\n:DOCKER - [0:0]\n', '-A DOCKER-USER -j RETURN\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n')
  .concat('COMMIT\n');

const SCENARIO_3_1_2 = (daemon = '') => `
hosts: { host1: { daemon: { version: "20.10"${daemon} } } }
networks:
  mynet: {}
containers:
  web: { networks: [mynet], ports: ["8080:80"], expose: ["80"] }
`;

function withBridge(text: string, bridge: string): string {
  return text.split(bridge).join('br-aaaaaaaaaaaa');
}

function ruleLines(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('-A '));
}

describe('Docker 20.10 rules (reference §3.1)', () => {
  it('prints the §3.1.2 scenario byte for byte (modulo the bridge name), as iptables-save does', () => {
    const l = lab(SCENARIO_3_1_2());
    const out = withBridge(l.rules(), l.bridge('mynet'));
    assert.equal(out, IPTABLES_SAVE_3_1_2);
    // Without the built-in chains' lines and COMMIT it is the reference's text exactly.
    const stripped = out.split('\n').filter((x) => !/^:(INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) /.test(x) && x !== 'COMMIT').join('\n');
    assert.equal(stripped, REFERENCE_3_1_2);
  });

  it('puts newer networks above older ones and appends port rules in mapping order', () => {
    const l = lab(`
hosts: { host1: { daemon: { version: "20.10" } } }
networks:
  first: { subnet: 10.1.0.0/24 }
  second: { subnet: 10.2.0.0/24 }
containers:
  aa: { networks: [first], ports: ["9001:80"] }
  bb: { networks: [second], ports: ["9002:80"] }
`);
    const lines = ruleLines(l.rules());
    const [b1, b2] = [l.bridge('first'), l.bridge('second')];
    const idx = (s: string) => lines.findIndex((x) => x === s);
    assert.ok(idx(`-A FORWARD -o ${b2} -j DOCKER`) < idx(`-A FORWARD -o ${b1} -j DOCKER`), 'second network above first in FORWARD');
    assert.ok(idx(`-A FORWARD -o ${b1} -j DOCKER`) < idx('-A FORWARD -o docker0 -j DOCKER'), 'user networks above docker0');
    assert.ok(idx('-A POSTROUTING -s 10.2.0.0/24 ! -o ' + b2 + ' -j MASQUERADE') < idx('-A POSTROUTING -s 10.1.0.0/24 ! -o ' + b1 + ' -j MASQUERADE'));
    assert.ok(idx(`-A DOCKER-ISOLATION-STAGE-2 -o ${b2} -j DROP`) < idx(`-A DOCKER-ISOLATION-STAGE-2 -o ${b1} -j DROP`));
    // Port rules: appended, aa's (started first) before bb's.
    assert.ok(idx(`-A DOCKER ! -i ${b1} -p tcp -m tcp --dport 9001 -j DNAT --to-destination 10.1.0.2:80`) < idx(`-A DOCKER ! -i ${b2} -p tcp -m tcp --dport 9002 -j DNAT --to-destination 10.2.0.2:80`));
    assert.ok(idx(`-A DOCKER -i ${b1} -j RETURN`) < idx(`-A DOCKER ! -i ${b1} -p tcp -m tcp --dport 9001 -j DNAT --to-destination 10.1.0.2:80`), 'RETURN rules stay above the DNATs');
  });

  it('binds to one host address with -d, and programs a shared container port only once', () => {
    const l = lab(`
hosts: { host1: { daemon: { version: "20.10" } } }
containers:
  web: { ports: ["8080:80", "127.0.0.1:8081:80"], expose: ["80"] }
`);
    const lines = ruleLines(l.rules());
    assert.ok(lines.includes('-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 8081 -j DNAT --to-destination 172.17.0.2:80'));
    assert.equal(lines.filter((x) => x.startsWith('-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT')).length, 1);
    assert.equal(lines.filter((x) => x.startsWith('-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32')).length, 1);
  });

  it('icc=false: the ACCEPT becomes a DROP at the end of FORWARD (daemon flag for docker0, option per network)', () => {
    const l = lab(`
hosts: { host1: { daemon: { version: "20.10", icc: false } } }
networks:
  quiet: { subnet: 10.3.0.0/24, driver_opts: { com.docker.network.bridge.enable_icc: "false" } }
  open: { subnet: 10.4.0.0/24 }
`);
    const lines = ruleLines(l.rules()).filter((x) => x.startsWith('-A FORWARD'));
    const [q, o] = [l.bridge('quiet'), l.bridge('open')];
    assert.deepEqual(lines.slice(-2), ['-A FORWARD -i docker0 -o docker0 -j DROP', `-A FORWARD -i ${q} -o ${q} -j DROP`]);
    assert.ok(lines.includes(`-A FORWARD -i ${o} -o ${o} -j ACCEPT`), 'other networks keep icc');
    assert.ok(!lines.includes('-A FORWARD -i docker0 -o docker0 -j ACCEPT'));
  });

  it('userland-proxy=false: hairpin NAT (OUTPUT on 127/8 too, MASQUERADE from local, no RETURN, DNAT from bridges too)', () => {
    const l = lab(SCENARIO_3_1_2(', userland-proxy: false'));
    const lines = ruleLines(l.rules());
    const br = l.bridge('mynet');
    assert.ok(lines.includes('-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER'));
    assert.ok(lines.includes(`-A POSTROUTING -o ${br} -m addrtype --src-type LOCAL -j MASQUERADE`));
    assert.ok(lines.includes('-A POSTROUTING -o docker0 -m addrtype --src-type LOCAL -j MASQUERADE'));
    assert.ok(!lines.some((x) => x.includes('-j RETURN') && x.startsWith('-A DOCKER -i')));
    assert.ok(lines.includes('-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80'));
  });

  it('ip-masq off: no MASQUERADE for the network and no RETURN in nat DOCKER', () => {
    const l = lab(`
hosts: { host1: { daemon: { version: "20.10", ip-masq: false } } }
networks:
  plain: { subnet: 10.5.0.0/24, driver_opts: { com.docker.network.bridge.enable_ip_masquerade: "false" } }
`);
    const lines = ruleLines(l.rules());
    assert.ok(!lines.some((x) => x.includes('MASQUERADE')), lines.join('\n'));
    assert.ok(!lines.some((x) => x.startsWith('-A DOCKER -i')));
    assert.ok(lines.includes(`-A FORWARD -i ${l.bridge('plain')} ! -o ${l.bridge('plain')} -j ACCEPT`), 'the network is still set up');
  });

  it('iptables=false: nothing programmed and the FORWARD policy left alone', () => {
    const l = lab(SCENARIO_3_1_2(', iptables: false'));
    assert.equal(l.rules(), '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n');
  });

  it('internal network (§3.1.4): two isolation drops and ICC, no MASQUERADE, DOCKER jump, conntrack or setINC rules', () => {
    const l = lab(`
hosts: { host1: { daemon: { version: "20.10" } } }
networks:
  vault: { subnet: 10.6.0.0/24, internal: true }
containers:
  safe: { networks: [vault], ports: ["8088:80"] }
`);
    const lines = ruleLines(l.rules());
    const br = l.bridge('vault');
    const mine = lines.filter((x) => x.includes(br) || x.includes('10.6.0.'));
    assert.deepEqual(mine, [
      `-A FORWARD -i ${br} -o ${br} -j ACCEPT`,
      `-A DOCKER-ISOLATION-STAGE-1 ! -s 10.6.0.0/24 -o ${br} -j DROP`,
      `-A DOCKER-ISOLATION-STAGE-1 ! -d 10.6.0.0/24 -i ${br} -j DROP`,
    ]);
  });
});

describe('newer releases (reference §3.2)', () => {
  it('28.x: FORWARD jumps to DOCKER-USER and DOCKER-FORWARD; per-network DROP in DOCKER; raw drops per container', () => {
    const l = lab(SCENARIO_3_1_2().replace('"20.10"', '"28.5"'));
    const text = withBridge(l.rules(), l.bridge('mynet'));
    const lines = ruleLines(text);
    for (const want of [
      '-A FORWARD -j DOCKER-USER',
      '-A FORWARD -j DOCKER-FORWARD',
      '-A DOCKER ! -i docker0 -o docker0 -j DROP',
      '-A DOCKER ! -i br-aaaaaaaaaaaa -o br-aaaaaaaaaaaa -j DROP',
      '-A DOCKER-BRIDGE -o docker0 -j DOCKER',
      '-A DOCKER-CT -o br-aaaaaaaaaaaa -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1',
      '-A DOCKER-FORWARD -i br-aaaaaaaaaaaa -j ACCEPT',
      '-A DOCKER -i br-aaaaaaaaaaaa -j RETURN',
      '-A PREROUTING -d 172.18.0.2/32 ! -i br-aaaaaaaaaaaa -j DROP',
    ]) assert.ok(lines.includes(want), `${want}\n${text}`);
    assert.ok(!lines.some((x) => x.startsWith('-A POSTROUTING -s 172.18.0.2/32 -d 172.18.0.2/32')), 'no per-port hairpin MASQUERADE with the proxy on');
    assert.ok(text.includes('*raw\n'), 'a raw table');
    assert.ok(!lines.includes('-A DOCKER-USER -j RETURN'), 'DOCKER-USER is created empty');
    // The port ACCEPT comes before the networks' DROP rules.
    assert.ok(lines.indexOf('-A DOCKER -d 172.18.0.2/32 ! -i br-aaaaaaaaaaaa -o br-aaaaaaaaaaaa -p tcp -m tcp --dport 80 -j ACCEPT') < lines.indexOf('-A DOCKER ! -i docker0 -o docker0 -j DROP'));
  });

  it('29: no isolation chains, DOCKER-INTERNAL for internal networks, no nat RETURN', () => {
    const l = lab(`
hosts: { host1: { daemon: { version: "29.0" } } }
networks:
  vault: { subnet: 10.6.0.0/24, internal: true }
  mynet: { subnet: 10.7.0.0/24 }
`);
    const text = l.rules();
    assert.ok(!text.includes('DOCKER-ISOLATION'));
    const lines = ruleLines(text);
    assert.ok(lines.includes('-A DOCKER-FORWARD -j DOCKER-INTERNAL'));
    assert.ok(lines.includes(`-A DOCKER-INTERNAL ! -s 10.6.0.0/24 -o ${l.bridge('vault')} -j DROP`));
    assert.ok(!lines.some((x) => / -j RETURN$/.test(x) && x.startsWith('-A DOCKER -i')));
  });

  it('the version picks the layout: no daemon.version means the newest modelled release', () => {
    const l = lab('networks: { n1: {} }\n');
    assert.ok(l.rules().includes('DOCKER-FORWARD'));
  });
});
