// The network drivers a topology can name, what each does, and which driver options belong to it: read
// from the drivers' descriptors (src/engine/drivers/<name>/index.ts) — the engine's own when the
// analysis has one, else every driver CNM Explorer ships. Option docs too: the schema's driver_opts,
// which other YAML tools read, is generated from the same descriptors (npm run generate).
import { SHIPPED_DESCRIPTORS, type DriverDescriptor, type DriverOption, type Engine } from '../engine';

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
  const options = driverInfo(driver ?? 'bridge', engine)?.options ?? allOptions(driversOf(engine));
  return options.map((o) => ({ name: o.name, ...docOf(o) }));
}

/** What an option key does, from the descriptor of a driver that takes it (the engine's, then the shipped ones). */
export function optionDoc(name: string, engine?: Pick<Engine, 'drivers'>): { description: string; values: string[] } {
  const option = [...driversOf(engine), ...SHIPPED_DESCRIPTORS].flatMap((d) => d.options).find((o) => o.name === name);
  return option ? docOf(option) : { description: 'A driver option, passed to the driver as is.', values: [] };
}

function docOf(o: DriverOption): { description: string; values: string[] } {
  return { description: o.description, values: [...(o.values ?? [])] };
}

/** Each option once, in the drivers' order. */
function allOptions(drivers: readonly DriverDescriptor[]): DriverOption[] {
  const seen = new Map<string, DriverOption>();
  for (const o of drivers.flatMap((d) => d.options)) if (!seen.has(o.name)) seen.set(o.name, o);
  return [...seen.values()];
}

/** Every option the shipped drivers accept, for the schema consistency test. */
export function allCatalogOptions(): string[] {
  return allOptions(SHIPPED_DESCRIPTORS).map((o) => o.name);
}
