// The lab-host harness's safety rule, checked without root or dockerd: every path and namespace a lab
// makes (and clean-up deletes) carries the "cnmlab" prefix and the lab id, never the main dockerd's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RELEASES, hostPaths, labDataDir, labRunDir, lanNetns } from '../../docker/harness/labPaths';
import { lanAddress } from '../../docker/harness/labNet';

describe('lab host paths', () => {
  it('puts everything of a lab under its own prefixed names', () => {
    const p = hostPaths('a1b2c3', 'node1');
    assert.deepEqual(p, {
      netns: 'cnmlab-a1b2c3-node1',
      netnsPath: '/run/netns/cnmlab-a1b2c3-node1',
      dataRoot: '/var/lib/cnmlab/a1b2c3/node1',
      execRoot: '/run/cnmlab/a1b2c3/node1',
      socket: '/run/cnmlab/a1b2c3/node1.sock',
      pidfile: '/run/cnmlab/a1b2c3/node1.pid',
      log: '/run/cnmlab/a1b2c3/node1.log',
      config: '/run/cnmlab/a1b2c3/node1.json',
    });
    assert.equal(labRunDir('a1b2c3'), '/run/cnmlab/a1b2c3');
    assert.equal(labDataDir('a1b2c3'), '/var/lib/cnmlab/a1b2c3');
    assert.equal(lanNetns('a1b2c3'), 'cnmlab-a1b2c3-lan');
    for (const v of Object.values(p)) assert.doesNotMatch(v, /\/var\/lib\/docker(\/|$)|docker\.sock|\/run\/docker(\/|\.|$)/);
  });

  it('refuses host names and lab ids that could reach outside the lab', () => {
    for (const bad of ['', 'lan', '../x', 'Node1', '1node', 'a/b', 'a-very-long-name']) {
      assert.throws(() => hostPaths('a1b2c3', bad), /lab host name/, bad);
    }
    for (const bad of ['', '..', 'ab', 'A1B2C3', 'a1/b2']) assert.throws(() => labRunDir(bad), /lab id/, bad);
  });

  it('gives each release the CLI of its own release, never /usr/local/bin/docker', () => {
    assert.equal(RELEASES['20.10'].cli, '/usr/bin/docker');
    assert.equal(RELEASES['26.1'].cli, '/opt/docker26/usr/bin/docker');
    assert.deepEqual(RELEASES['26.1'].path.slice(0, 1), ['/opt/docker26/usr/sbin'], "26.1's docker-proxy comes first");
  });

  it('addresses LAN hosts in 192.168.213.0/24, away from this machine\'s 192.0.2.0/24', () => {
    assert.equal(lanAddress(0), '192.168.213.11');
    assert.equal(lanAddress(2), '192.168.213.13');
  });
});
