// `cnm lab` without a lab: its arguments, what it refuses to play (and why, in one line), which Docker
// release each host gets, and how a comparison reads. The lab itself: test/docker/lab/labUp.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLabArgs } from '../../../src/cli/labArgs';
import { runCli } from '../../../src/cli/run';
import { UsageError } from '../../../src/cli/errors';
import type { CliIo } from '../../../src/cli/io';
import { classifyProbe, formatComparison, type ComparedRow } from '../../../src/lab/compare';
import { labVersions, unplayableOnLab } from '../../../src/lab/topologyLab';
import { parseTopology } from '../../../src/topology';

const spec = (text: string) => parseTopology(text).spec;

function io(): CliIo & { outText: string; errText: string } {
  const o = { outText: '', errText: '' } as CliIo & { outText: string; errText: string };
  o.out = (t) => void (o.outText += t);
  o.err = (t) => void (o.errText += t);
  o.readFile = () => {
    throw Object.assign(new Error('no'), { code: 'ENOENT' });
  };
  return o;
}

describe('cnm lab arguments', () => {
  it('up FILE, with --compare and --daemon-version', () => {
    assert.deepEqual(parseLabArgs(['up', 'a.cnm.yaml']), { action: 'up', file: 'a.cnm.yaml', compare: false });
    assert.deepEqual(parseLabArgs(['up', '--compare', 'a.cnm.yaml', '--daemon-version', '26.1']), { action: 'up', file: 'a.cnm.yaml', compare: true, daemonVersion: '26.1' });
  });

  it('compare always compares; down takes only FILE', () => {
    assert.deepEqual(parseLabArgs(['compare', 'a.cnm.yaml']), { action: 'compare', file: 'a.cnm.yaml', compare: true });
    assert.deepEqual(parseLabArgs(['down', 'a.cnm.yaml']), { action: 'down', file: 'a.cnm.yaml', compare: false });
  });

  it('help in each spelling', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['up', '--help'], ['down', '-h']]) assert.equal(parseLabArgs(argv), 'help', argv.join(' '));
  });

  it('misuse is a UsageError naming what is wrong', () => {
    const cases: [string[], RegExp][] = [
      [[], /missing up, down or compare/],
      [['start', 'a'], /unknown action "start"/],
      [['up'], /lab up: missing FILE/],
      [['up', 'a', 'b'], /unexpected argument "b"/],
      [['down', 'a', '--compare'], /unknown option '--compare'/],
      [['compare', 'a', '--compare'], /unknown option '--compare'/],
      [['up', 'a', '--daemon-version', 'latest'], /--daemon-version takes a Docker release/],
    ];
    for (const [argv, message] of cases) assert.throws(() => parseLabArgs(argv), (e: unknown) => e instanceof UsageError && message.test(e.message), argv.join(' '));
  });

  it('through runCli: exit 2 and one line for misuse, help without the lab code or root', async () => {
    const bad = io();
    assert.equal(await runCli(['lab', 'up'], bad), 2);
    assert.match(bad.errText, /^cnm: lab up: missing FILE \(usage: cnm lab up FILE\)\n$/);
    const help = io();
    assert.equal(await runCli(['lab', '--help'], help), 0);
    assert.match(help.outText, /^usage: cnm lab up\|compare\|down FILE/);
    assert.match(help.outText, /cnm lab down FILE/);
    const listed = io();
    await runCli(['--help'], listed);
    assert.match(listed.outText, /cnm lab up\|compare\|down FILE/);
  });
});

describe('what lab hosts play', () => {
  it('a one-host file of bridges and containers', () => {
    assert.equal(unplayableOnLab(spec('hosts: { host1: {} }\nnetworks: { n1: { subnet: 10.9.0.0/24 } }\ncontainers: { a: { networks: [n1] } }\n')), null);
  });

  it('refuses swarm services, swarms, overlay and plugin drivers, pipework and odd host names, with the reason', () => {
    const cases: [string, RegExp][] = [
      ['hosts: { m: { swarm: manager } }\nnetworks: { o: { driver: overlay, attachable: true } }\nservices: { web: { image: busybox, networks: [o] } }\n', /^swarm services \(web\) cannot be played on lab hosts yet$/],
      ['hosts: { m: { swarm: manager } }\n', /^a swarm \(hosts\.m\.swarm\) cannot be played on lab hosts yet$/],
      ['hosts: { h1: {} }\nnetworks: { w: { driver: weave } }\n', /^network w: driver "weave" is a plugin lab hosts do not have$/],
      ['hosts: { Host_1: {} }\n', /^host name "Host_1": a lab host's name is 1-12 of a-z, 0-9/],
    ];
    for (const [text, why] of cases) assert.match(unplayableOnLab(spec(text)) ?? '(playable)', why, text);
  });

  it("each host's release: --daemon-version, else daemon.version, else the system's 20.10; others are refused", () => {
    const two = spec('hosts:\n  a: { daemon: { version: "26.1" } }\n  b: {}\n');
    assert.deepEqual([...(labVersions(two) as Map<string, string>)], [['a', '26.1'], ['b', '20.10']]);
    assert.deepEqual([...(labVersions(two, '26.1') as Map<string, string>)], [['a', '26.1'], ['b', '26.1']]);
    assert.match(labVersions(two, '27.0') as string, /^Docker 27\.0 \(host a\): lab hosts run 20\.10 .* or 26\.1/);
  });
});

describe('a comparison', () => {
  it('classifies what ping and nc print', () => {
    assert.equal(classifyProbe('icmp', 0, '1 packets received', false), 'delivered');
    assert.equal(classifyProbe('icmp', 1, '0 packets received', false), 'dropped');
    assert.equal(classifyProbe('tcp', 1, 'nc: can\'t connect to remote host (10.0.0.2): Connection refused', false), 'refused');
    assert.equal(classifyProbe('tcp', 1, 'nc: timed out', false), 'dropped');
    assert.equal(classifyProbe('tcp', null, '', true), 'inconclusive');
  });

  it('counts agreements and lists every disagreement and unknown', () => {
    const rows: ComparedRow[] = [
      { kind: 'container', host: 'h1', what: 'a', predicted: 'running', observed: 'running', outcome: 'agree' },
      { kind: 'address', host: 'h1', what: 'a on n1: IPv4', predicted: '10.9.0.2', observed: '10.9.0.3', outcome: 'disagree' },
      { kind: 'probe', host: 'h1', what: 'a → b on n1 10.9.0.3 ping', predicted: 'unknown', observed: 'delivered', outcome: 'unknown' },
    ];
    assert.equal(
      formatComparison(rows),
      [
        'containers: 1 agree, 0 disagree',
        'addresses: 0 agree, 1 disagree',
        '  DISAGREE a on n1: IPv4: predicted 10.9.0.2, observed 10.9.0.3',
        'probes: 0 agree, 0 disagree, 1 unknown',
        '  unknown  a → b on n1 10.9.0.3 ping: predicted unknown, observed delivered',
        'prediction and reality disagree in 1 place(s)',
        '',
      ].join('\n'),
    );
    assert.match(formatComparison(rows.slice(0, 1)), /prediction and reality agree\n$/);
  });
});
