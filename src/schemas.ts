// The committed JSON Schemas (schemas/*.json), read from the package so `vmdrift schema` prints the very file
// that validation uses.
import {readFileSync} from 'node:fs'

export const SCHEMA_NAMES = ['baseline', 'config', 'check-result', 'fleet-result'] as const
export type SchemaName = (typeof SCHEMA_NAMES)[number]

const cache = new Map<SchemaName, Record<string, unknown>>()

export function schemaPath(name: SchemaName): URL {
  return new URL(`../schemas/${name}.schema.json`, import.meta.url)
}

export function loadSchema(name: SchemaName): Record<string, unknown> {
  let schema = cache.get(name)
  if (!schema) {
    schema = JSON.parse(readFileSync(schemaPath(name), 'utf8')) as Record<string, unknown>
    cache.set(name, schema)
  }
  return schema
}
