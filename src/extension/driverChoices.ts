// The drivers the create forms offer, from the drivers' descriptors (src/engine/drivers/<name>/): the
// file form offers what the topology's engine has, the live form what a stock dockerd has.
import { SHIPPED_DESCRIPTORS, type DriverDescriptor } from '../engine';

export interface DriverChoice {
  label: string;
  description: string;
}

/** Drivers an engine has that "Create Network" offers in a file (a driver without a descriptor: as a plug-in). */
export function fileDriverChoices(engine: { drivers: { driverNames(): string[]; descriptor(name: string): DriverDescriptor | undefined } }): DriverChoice[] {
  return engine.drivers.driverNames()
    .map((name) => ({ name, d: engine.drivers.descriptor(name) }))
    .filter(({ d }) => !d || d.forms.file)
    .map(({ name, d }) => ({ label: name, description: d?.short ?? 'a driver plug-in' }));
}

/** Drivers "Create Network" offers on a live host (others can still be typed: a plug-in installed there). */
export function liveDriverChoices(): DriverChoice[] {
  return SHIPPED_DESCRIPTORS.filter((d) => d.forms.live).map((d) => ({ label: d.name, description: d.short }));
}

/** The example for the options step. */
export function optionHint(driver: string | undefined): string {
  return SHIPPED_DESCRIPTORS.find((d) => d.name === driver)?.forms.optionHint ?? 'key=value';
}
