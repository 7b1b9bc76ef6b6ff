// Shared test helpers: a fresh engine with one host, and an assertion for Docker's exact error.
import assert from 'node:assert/strict';
import { DockerError, Engine, type HostConfig } from '../../../src/engine';

export const H = 'host1';

export function engine(version?: string, extra: Partial<HostConfig> = {}): Engine {
  const e = new Engine();
  e.addHost({ name: H, ...extra, daemon: { ...(version ? { version } : {}), ...(extra.daemon ?? {}) } });
  return e;
}

export function throwsDocker(fn: () => unknown, message: string | RegExp, status?: number): DockerError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DockerError, `expected a DockerError, got ${String(caught)}`);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  if (status !== undefined) assert.equal(caught.status, status);
  return caught;
}

export function net(e: Engine, name: string) {
  const n = e.inspect().networks.find((x) => x.name === name);
  assert.ok(n, `network ${name} not found`);
  return n;
}

export function ctr(e: Engine, name: string) {
  const c = e.inspect().containers.find((x) => x.name === name);
  assert.ok(c, `container ${name} not found`);
  return c;
}

/** The endpoint of a container on a network. */
export function ep(e: Engine, container: string, network: string) {
  const found = ctr(e, container).endpoints.find((x) => x.network === network);
  assert.ok(found, `${container} has no endpoint on ${network}`);
  return found;
}

export function ip(e: Engine, container: string, network: string): string | null {
  return ep(e, container, network).ipv4_address;
}

export function sandboxOf(e: Engine, container: string) {
  const host = e.state.hosts.get(H)!;
  const c = [...host.containers.values()].find((x) => x.name === container)!;
  return host.sandboxes.get(c.sandboxId!)!;
}
