import { loadTopology } from '../src/topology';
import { buildSnapshot } from '../src/extension/diagramSnapshot';
import { readFileSync } from 'node:fs';
for (const f of process.argv.slice(2)) {
  const l: any = (loadTopology as any)(readFileSync(f, 'utf8'), { fileName: f });
  const { snapshot } = buildSnapshot(l.engine.state, f);
  console.log(JSON.stringify({ devices: snapshot.hosts.map((h) => h.devices), t: snapshot.deviceTunnels }, null, 1));
}
