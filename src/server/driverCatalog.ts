// The network drivers a topology can name, what each does, and which driver options belong to it: read
// from the drivers' descriptors (src/engine/drivers/<name>/index.ts) — the engine's own when the
// analysis has one, else every driver CNM Explorer ships. Option descriptions come from the schema (one
// text for hover, completion and other YAML tools).
import { SHIPPED_DESCRIPTORS, type DriverDescriptor, type Engine } from '../engine';
import { schemaAt } from './schemaDocs';

export type DriverInfo = DriverDescriptor;

/** The drivers `engine` has (the shipped ones when there is no engine). */
export function driversOf(engine?: Pick<Engine, 'drivers'>): readonly DriverDescriptor[] {
  const own = engine?.drivers.descriptors();
  return own && own.length > 0 ? own : SHIPPED_DESCRIPTORS;
}

/** The order completion offers them in: what a network is created with first, host and null last. */
export function completionDrivers(engine?: Pick<Engine, 'drivers'>): DriverDescriptor[] {
  const all = driversOf(engine);
  return [...all.filter((d) => !d.special), ...all.filter((d) => d.special)];
}

export function driverInfo(name: string, engine?: Pick<Engine, 'drivers'>): DriverInfo | undefined {
  return driversOf(engine).find((d) => d.name === name);
}

/** Options that make sense for `driver` (every known option when the driver is unknown, e.g. a plug-in). */
export function optionsFor(driver: string | undefined, engine?: Pick<Engine, 'drivers'>): { name: string; description: string; values: string[] }[] {
  const names = driverInfo(driver ?? 'bridge', engine)?.options ?? [...new Set(driversOf(engine).flatMap((d) => d.options))];
  return names.map((name) => ({ name, ...optionDoc(name) }));
}

export function optionDoc(name: string): { description: string; values: string[] } {
  const schema = schemaAt(['networks', 'x', 'driver_opts', name]);
  const values = (schema?.enum ?? []).filter((v): v is string => typeof v === 'string');
  return { description: schema?.description ?? 'A driver option, passed to the driver as is.', values };
}

/** Every option the shipped drivers accept, for the schema consistency test. */
export function allCatalogOptions(): string[] {
  return [...new Set(SHIPPED_DESCRIPTORS.flatMap((d) => d.options))];
}
