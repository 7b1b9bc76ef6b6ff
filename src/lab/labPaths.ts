// Where a lab host lives on this machine. Every namespace, folder, socket and pidfile of a lab carries
// the fixed prefix "cnmlab" and the lab's random id, so clean-up can find exactly what a lab made, and
// never reaches the main dockerd (/var/run/docker.sock, /var/lib/docker, /var/run/docker).
import { existsSync } from 'node:fs';

export type LabVersion = '20.10' | '26.1';

export const RUN_DIR = '/run/cnmlab';
export const DATA_DIR = '/var/lib/cnmlab';
export const NETNS_DIR = '/run/netns';
export const NETNS_PREFIX = 'cnmlab-';

/** Host names become namespace names, hostnames and folder names: short, lower-case, and never "lan". */
export const HOST_NAME = /^[a-z][a-z0-9]{0,11}$/;
export const LAB_ID = /^[a-z0-9]{4,12}$/;

/** One Docker release a lab host can run: its dockerd, the CLI of the same release, and PATH additions. */
export interface Release {
  version: LabVersion;
  dockerd: string;
  cli: string;
  /** Folders put first on the daemon's PATH (26.1's docker-proxy must be the 26.1 one). */
  path: string[];
  /** How to get it when it is missing. */
  install: string;
}

export const RELEASES: Record<LabVersion, Release> = {
  '20.10': {
    version: '20.10',
    dockerd: '/usr/sbin/dockerd',
    // Debian 12's CLI: /usr/local/bin/docker on this machine is a newer CLI that must not be used.
    cli: '/usr/bin/docker',
    path: [],
    install: 'apt-get install -y docker.io (Debian 12)',
  },
  '26.1': {
    version: '26.1',
    dockerd: '/opt/docker26/usr/sbin/dockerd',
    cli: '/opt/docker26/usr/bin/docker',
    path: ['/opt/docker26/usr/sbin', '/opt/docker26/usr/bin'],
    install: 'Debian 13 packages unpacked into /opt/docker26 (the step "unpacking Docker 26.1 into /opt/docker26" of .ci/run)',
  },
};

export const isLabVersion = (v: string): v is LabVersion => v === '20.10' || v === '26.1';

/** What is missing to run this release, or undefined. */
export function releaseMissing(version: LabVersion): string | undefined {
  const r = RELEASES[version];
  for (const file of [r.dockerd, r.cli]) if (!existsSync(file)) return `Docker ${version}: ${file} is missing; install: ${r.install}`;
  return undefined;
}

export interface HostPaths {
  netns: string;
  netnsPath: string;
  dataRoot: string;
  execRoot: string;
  socket: string;
  pidfile: string;
  log: string;
  config: string;
}

export const labRunDir = (labId: string) => `${RUN_DIR}/${checkId(labId)}`;
export const labDataDir = (labId: string) => `${DATA_DIR}/${checkId(labId)}`;
export const lanNetns = (labId: string) => `${NETNS_PREFIX}${checkId(labId)}-lan`;

export function hostPaths(labId: string, name: string): HostPaths {
  if (!HOST_NAME.test(name) || name === 'lan') throw new Error(`lab host name ${JSON.stringify(name)}: use 1-12 of a-z, 0-9 (starting with a letter), not "lan"`);
  const run = labRunDir(labId);
  const netns = `${NETNS_PREFIX}${labId}-${name}`;
  return {
    netns,
    netnsPath: `${NETNS_DIR}/${netns}`,
    dataRoot: `${labDataDir(labId)}/${name}`,
    execRoot: `${run}/${name}`,
    socket: `${run}/${name}.sock`,
    pidfile: `${run}/${name}.pid`,
    log: `${run}/${name}.log`,
    config: `${run}/${name}.json`,
  };
}

function checkId(labId: string): string {
  if (!LAB_ID.test(labId)) throw new Error(`lab id ${JSON.stringify(labId)} is not one of ours`);
  return labId;
}
