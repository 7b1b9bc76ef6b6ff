// `-p` and `--expose` as docker run takes them: every valid form passes, every bad one gets Docker's text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exposeSpecError, portSpecError } from '../../../src/topology/portSpec';
import { closestMatch, editDistance } from '../../../src/topology/suggest';

describe('port specs', () => {
  it('accepts every -p form Docker accepts', () => {
    for (const spec of ['80', '8080:80', '8080:80/udp', '127.0.0.1:8080:80', '127.0.0.1::80', '[::1]:8080:80', '8000-8010:80', '8000-8001:80-81', '80/sctp', '0.0.0.0:53:53/UDP']) {
      assert.equal(portSpecError(spec), undefined, spec);
    }
  });

  it('rejects bad ones with go-connections\' messages', () => {
    assert.equal(portSpecError(''), 'No port specified: <empty>');
    assert.equal(portSpecError('8080:'), 'No port specified: 8080:<empty>');
    assert.equal(portSpecError('8080:http'), 'Invalid containerPort: http');
    assert.equal(portSpecError('70000:80'), 'Invalid hostPort: 70000');
    assert.equal(portSpecError('8080:90-80'), 'Invalid containerPort: 90-80');
    assert.equal(portSpecError('1-2:3-5'), 'Invalid ranges specified for container and host Ports: 3-5 and 1-2');
    assert.equal(portSpecError('localhost:80:80'), 'Invalid ip address: localhost');
    assert.equal(portSpecError('80/icmp'), 'Invalid proto: icmp');
    // An IPv6 host address needs brackets, as net.SplitHostPort says.
    assert.equal(portSpecError('::1:8080:80'), 'Invalid ip address ::1: address ::1:: too many colons in address');
  });

  it('checks --expose values', () => {
    for (const ok of ['80', '80/udp', '8000-8010', '8000-8010/tcp']) assert.equal(exposeSpecError(ok), undefined, ok);
    assert.match(exposeSpecError('http')!, /^Invalid range format for --expose: http/);
    assert.equal(exposeSpecError('80:80'), 'invalid port format for --expose: 80:80');
    assert.equal(exposeSpecError('80/gre'), 'Invalid proto: gre');
  });
});

describe('did you mean', () => {
  it('finds a near miss, including swapped letters, and nothing for unrelated words', () => {
    assert.equal(editDistance('netwroks', 'networks'), 1);
    assert.equal(closestMatch('netwroks', ['name', 'networks', 'containers']), 'networks');
    assert.equal(closestMatch('ipv4_adress', ['ipv4_address', 'ipv6_address']), 'ipv4_address');
    assert.equal(closestMatch('zzz', ['networks', 'hosts']), undefined);
  });
});
