// Every driver CNM Explorer ships, each one unit in its own folder (src/engine/drivers/<name>/). The
// Engine installs the built-ins itself; a topology build also installs the plug-ins. Adding a driver is
// its folder plus one line in BUILTIN_DRIVERS (./builtin.ts) or PLUGIN_DRIVERS (here): completion, hover,
// the topology checks, the tree, the create forms, the schema's and the grammar's lists read these.
import { BUILTIN_DRIVERS } from './builtin';
import { calico } from './calico';
import { flannel } from './flannel';
import { pipework } from './pipework';
import { weave } from './weave';
import type { DriverDescriptor, DriverHost, DriverRegistry, DriverUnit } from './types';

export { BUILTIN_DRIVERS } from './builtin';

/** Third-party drivers shipped with CNM Explorer, through the same interface. */
export const PLUGIN_DRIVERS: readonly DriverUnit[] = [flannel, calico, pipework, weave];

export const SHIPPED_DRIVERS: readonly DriverUnit[] = [...BUILTIN_DRIVERS, ...PLUGIN_DRIVERS];

/** The descriptors of every shipped driver (for surfaces that have no engine at hand). */
export const SHIPPED_DESCRIPTORS: readonly DriverDescriptor[] = SHIPPED_DRIVERS.map((u) => u.descriptor);

/** Installs the shipped plug-ins on one engine (the built-ins it has already). */
export function installPlugins(engine: DriverHost & { readonly drivers: DriverRegistry }): void {
  for (const unit of PLUGIN_DRIVERS) engine.drivers.install(unit, engine);
}

/** A descriptor from a list (an engine's, or the shipped ones). */
export function findDescriptor(name: string, from: readonly DriverDescriptor[] = SHIPPED_DESCRIPTORS): DriverDescriptor | undefined {
  return from.find((d) => d.name === name);
}
