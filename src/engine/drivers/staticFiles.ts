// The parts of the two static files VS Code reads before any code runs that come from the drivers'
// descriptors: in the schema, the `driver` examples (and its description, for a driver it does not name
// yet) and every driver option under networks.*.driver_opts; in the grammar, the driver pattern. Pure:
// file text and descriptors in, file text out. scripts/generate-driver-files.mjs writes the committed
// files (npm run generate, and every build); test/unit/engine/drivers.test.ts checks they are current.
import type { DriverDescriptor, DriverOption } from './types';

export const SCHEMA_FILE = 'schemas/cnm-topology.schema.json';
export const GRAMMAR_FILE = 'syntaxes/cnm-topology.tmLanguage.json';

/** Coloured as a driver though it is the null driver's network (`none`): the grammar always had it. */
const GRAMMAR_ALIASES = ['none'];

/** Starts the sentence the generator adds to `driver`'s description for drivers the hand-written text does not name. */
const ALSO_SHIPPED = ' Also shipped with CNM Explorer: ';

type Json = Record<string, unknown>;

/** The JSON Schema of one driver option (networks.*.driver_opts.<name>). */
export function optionSchema(o: DriverOption): Json {
  const out: Json = { description: o.description, type: o.accepts ? ['string', o.accepts] : 'string' };
  // An unquoted true/false is a YAML boolean: the enum takes both spellings.
  if (o.values) out['enum'] = o.accepts === 'boolean' ? [...o.values, true, false] : [...o.values];
  return out;
}

/** networks.*.driver_opts.properties: every option of every driver, once (in the drivers' order). */
export function driverOptionsSchema(descriptors: readonly DriverDescriptor[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  const owner = new Map<string, string>();
  for (const d of descriptors) {
    for (const o of d.options) {
      const schema = optionSchema(o);
      const first = owner.get(o.name);
      if (first !== undefined) {
        if (JSON.stringify(out[o.name]) !== JSON.stringify(schema)) {
          throw new Error(`driver option "${o.name}" is documented differently by the ${first} and ${d.name} drivers: the schema has one entry per option, so share one DriverOption (src/engine/drivers/shared/options.ts)`);
        }
        continue;
      }
      owner.set(o.name, d.name);
      out[o.name] = schema;
    }
  }
  return out;
}

/** `driver`'s description: the hand-written text, plus a sentence for the drivers it does not name. */
export function driverDescription(current: string, descriptors: readonly DriverDescriptor[]): string {
  const base = current.split(ALSO_SHIPPED)[0]!;
  const missing = descriptors.filter((d) => !base.includes(`\`${d.name}\``));
  if (missing.length === 0) return base;
  return `${base}${ALSO_SHIPPED}${missing.map((d) => `\`${d.name}\` (${d.short})`).join(', ')}.`;
}

/** The schema with its driver-derived parts generated; everything else as it was. */
export function generateSchema(text: string, descriptors: readonly DriverDescriptor[]): string {
  const schema = JSON.parse(text) as Json;
  const network = ((schema['definitions'] as Json | undefined)?.['network'] as Json | undefined)?.['properties'] as Record<string, Json> | undefined;
  const driver = network?.['driver'];
  const opts = network?.['driver_opts'];
  if (!network || !driver || !opts) throw new Error(`${SCHEMA_FILE}: definitions.network.properties has no driver or driver_opts`);
  network['driver'] = withComment(driver, 'examples: the shipped drivers, generated from their descriptors (src/engine/drivers/<name>/) by `npm run generate`.', {
    description: driverDescription(String(driver['description'] ?? ''), descriptors),
    examples: descriptors.map((d) => d.name),
  });
  network['driver_opts'] = withComment(opts, "properties: generated from the drivers' descriptors (src/engine/drivers/<name>/, shared/options.ts) by `npm run generate`; edit them there.", {
    properties: driverOptionsSchema(descriptors),
  });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** The alternation of names the grammar colours after `driver:` (regular-expression escaped). */
export function driverPattern(descriptors: readonly DriverDescriptor[]): string {
  const names = descriptors.map((d) => d.name);
  return [...names, ...GRAMMAR_ALIASES.filter((a) => !names.includes(a))].map(escapeRegExp).join('|');
}

/** The grammar with its driver pattern generated; everything else as it was. */
export function generateGrammar(text: string, descriptors: readonly DriverDescriptor[]): string {
  const grammar = JSON.parse(text) as Json;
  const rule = (grammar['repository'] as Record<string, Json> | undefined)?.['driver'];
  // (?<=driver: |…)(NAMES)(?=…): only the middle group is the drivers'.
  const m = typeof rule?.['match'] === 'string' ? /^(\(\?<=[^)]*\))\([^()]*\)(\(\?=.*)$/s.exec(rule['match']) : null;
  if (!rule || !m) throw new Error(`${GRAMMAR_FILE}: repository.driver.match is not "(?<=…)(names)(?=…)"`);
  rule['comment'] = "The value of `driver:` when it names a driver CNM Explorer ships (or `none`): the names are generated from the drivers' descriptors (src/engine/drivers) by `npm run generate`.";
  rule['match'] = `${m[1]}(${driverPattern(descriptors)})${m[2]}`;
  return `${JSON.stringify(grammar, null, 2)}\n`;
}

/** `node` with `$comment` right after its description, and `replace`'s keys set in place. */
function withComment(node: Json, comment: string, replace: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$comment') continue;
    out[k] = k in replace ? replace[k] : v;
    if (k === 'description') out['$comment'] = comment;
  }
  for (const [k, v] of Object.entries(replace)) if (!(k in out)) out[k] = v;
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
