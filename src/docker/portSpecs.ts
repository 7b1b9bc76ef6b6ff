// `-p` / `--expose` strings → the API's ExposedPorts and HostConfig.PortBindings, parsed by the
// engine's copy of the docker CLI's parser so a bad spec fails with the CLI's own text.
import { DockerError, parseExpose, parsePortSpec } from '../engine';
import { DockerApiError } from './types';

export interface ApiPortBindings {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, { HostIp: string; HostPort: string }[]>;
}

export function portBindingsFromSpecs(ports: string[], expose: string[]): ApiPortBindings {
  const exposed: ApiPortBindings['exposed'] = {};
  const bindings: ApiPortBindings['bindings'] = {};
  try {
    ports.forEach((raw, i) => {
      const parsed = parsePortSpec(raw, i);
      for (const e of parsed.exposed) exposed[`${e.port}/${e.proto}`] = {};
      for (const b of parsed.bindings) {
        const key = `${b.containerPort}/${b.proto}`;
        const hostPort = b.hostPortStart === 0 ? '' : b.hostPortEnd !== b.hostPortStart ? `${b.hostPortStart}-${b.hostPortEnd}` : String(b.hostPortStart);
        (bindings[key] ??= []).push({ HostIp: b.hostIp, HostPort: hostPort });
      }
    });
    expose.forEach((raw, i) => {
      for (const e of parseExpose(raw, i)) exposed[`${e.port}/${e.proto}`] = {};
    });
  } catch (err) {
    if (err instanceof DockerError) throw new DockerApiError(err.message, 400);
    throw err;
  }
  return { exposed, bindings };
}
