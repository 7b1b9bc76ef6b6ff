// UDP for the probes, run with plain node inside a container's network namespace (`nsenter -t PID -n`),
// because the busybox here has the small nc, without -u.
//   node udp.mjs serve PORT...          answers every datagram on these ports with "ok" (IPv4 and IPv6);
//                                       prints "ready" once bound; runs until killed.
//   node udp.mjs probe ADDR PORT ...    one datagram to each, in parallel; prints per probe
//                                       "@@CNM-PROBE i", what happened, and "rc=0" for a reply.
// A reply means delivered; ICMP port unreachable comes back as ECONNREFUSED on the connected socket
// ("Connection refused"); anything else within 2 s (a timeout, host unreachable) is a drop.
import dgram from 'node:dgram';
import net from 'node:net';

const [mode, ...args] = process.argv.slice(2);

function bind(port, type) {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type, ipv6Only: false });
    s.on('message', (_msg, from) => s.send('ok', from.port, from.address));
    s.once('error', reject);
    s.bind(port, type === 'udp6' ? '::' : '0.0.0.0', () => resolve(s));
  });
}

if (mode === 'serve') {
  for (const p of args.map(Number)) {
    // Dual-stack where IPv6 is on in the namespace, else IPv4 only.
    await bind(p, 'udp6').catch(() => bind(p, 'udp4'));
  }
  console.log('ready');
} else if (mode === 'probe') {
  const jobs = [];
  for (let i = 0; i + 1 < args.length; i += 2) jobs.push({ addr: args[i], port: Number(args[i + 1]) });
  const results = await Promise.all(
    jobs.map(
      ({ addr, port }) =>
        new Promise((resolve) => {
          const s = dgram.createSocket(net.isIPv6(addr) ? 'udp6' : 'udp4');
          const done = (text) => {
            clearTimeout(timer);
            s.close();
            resolve(text);
          };
          const timer = setTimeout(() => done('no reply within 2 s\nrc=1'), 2000);
          s.on('message', (m) => done(`reply: ${m.toString().trim()}\nrc=0`));
          s.on('error', (e) => done(`${e.code === 'ECONNREFUSED' ? 'Connection refused' : e.code}: ${e.message}\nrc=1`));
          s.connect(port, addr, (err) => (err ? done(`${err.code}: ${err.message}\nrc=1`) : s.send('cnm-probe')));
        }),
    ),
  );
  results.forEach((r, i) => console.log(`@@CNM-PROBE ${i + 1}\n${r}`));
} else {
  console.error('usage: udp.mjs serve PORT... | probe ADDR PORT ...');
  process.exit(2);
}
