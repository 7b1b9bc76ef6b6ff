// The JSON Schema shipped for other YAML tools, and used by completion and hover, must describe
// exactly the keys the topology parser accepts: checked level by level against src/topology/schema.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as keys from '../../src/topology/schema';
import { allCatalogOptions } from '../../src/server/driverCatalog';
import { keysAt, schemaAt, topologySchema, type SchemaNode } from '../../src/server/schemaDocs';

const names = (path: (string | number)[]) => keysAt(path).map((k) => k.key).sort();
const sorted = (list: readonly string[]) => [...list].sort();

describe('the topology JSON Schema', () => {
  it('has the keys the parser accepts, at every level', () => {
    assert.deepEqual(names([]), sorted(keys.TOP_LEVEL_KEYS));
    assert.deepEqual(names(['hosts', 'h1']), sorted(keys.HOST_KEYS));
    assert.deepEqual(names(['hosts', 'h1', 'daemon']), sorted(keys.DAEMON_KEYS));
    assert.deepEqual(names(['hosts', 'h1', 'daemon', 'default-address-pools', 0]), sorted(keys.ADDRESS_POOL_KEYS));
    assert.deepEqual(names(['networks', 'n1']), sorted(keys.NETWORK_KEYS));
    assert.deepEqual(names(['networks', 'n1', 'ipam']), sorted(keys.IPAM_KEYS));
    assert.deepEqual(names(['networks', 'n1', 'ipam', 'config', 0]), sorted(keys.IPAM_POOL_KEYS));
    assert.deepEqual(names(['containers', 'c1']), sorted(keys.CONTAINER_KEYS));
    assert.deepEqual(names(['containers', 'c1', 'networks', 'n1']), sorted(keys.ENDPOINT_KEYS));
    assert.deepEqual(names(['containers', 'c1', 'ports', 0]), sorted(keys.PORT_LONG_KEYS));
    assert.deepEqual(names(['services', 's1']), sorted(keys.SERVICE_KEYS));
    assert.deepEqual(names(['services', 's1', 'networks', 'n1']), sorted(keys.SERVICE_NETWORK_KEYS));
    assert.deepEqual(names(['expect', 0]), sorted(keys.EXPECT_KEYS));
    assert.deepEqual(schemaAt(['expect', 0, 'verdict'])?.enum, [...keys.VERDICTS]);
  });

  it('describes every key (hover shows it)', () => {
    const missing: string[] = [];
    const walk = (node: SchemaNode | undefined, path: string) => {
      for (const [k, v] of Object.entries(node?.properties ?? {})) {
        const flat = schemaAt(path === '' ? [k] : [...path.split('.'), k]);
        if (!v.description && !flat?.description) missing.push(`${path}.${k}`);
      }
    };
    walk(topologySchema, '');
    for (const [name, def] of Object.entries(topologySchema.definitions ?? {})) walk(def, `#${name}`);
    assert.deepEqual(missing.filter((m) => !m.startsWith('#')), []);
  });

  it('resolves every $ref and documents every driver option the catalog offers', () => {
    const refs = JSON.stringify(topologySchema).match(/"\$ref":"#\/definitions\/([^"]+)"/g) ?? [];
    for (const r of refs) {
      const name = /definitions\/([^"]+)/.exec(r)![1]!;
      assert.ok(topologySchema.definitions?.[name], `missing definition ${name}`);
    }
    const documented = Object.keys(schemaAt(['networks', 'n1', 'driver_opts'])?.properties ?? {});
    for (const option of allCatalogOptions()) assert.ok(documented.includes(option), `${option} has no description in the schema`);
  });

  it('is draft-07 and lets other tools accept x- extension keys', () => {
    assert.equal((topologySchema as { $schema?: string }).$schema, 'http://json-schema.org/draft-07/schema#');
    assert.ok(schemaAt(['x-notes']));
    assert.ok(schemaAt(['containers', 'c1', 'x-owner']));
  });
});
