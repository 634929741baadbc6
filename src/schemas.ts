// The committed JSON Schemas (schemas/*.json), read from the package so `vmdrift schema` prints the very file
// that validation uses.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {packageRoot} from './package-root.js'

export const SCHEMA_NAMES = ['baseline', 'config', 'check-result', 'fleet-result'] as const
export type SchemaName = (typeof SCHEMA_NAMES)[number]

const cache = new Map<SchemaName, Record<string, unknown>>()

export function schemaPath(name: SchemaName): URL {
  return pathToFileURL(join(packageRoot(), 'schemas', `${name}.schema.json`))
}

export function loadSchema(name: SchemaName): Record<string, unknown> {
  let schema = cache.get(name)
  if (!schema) {
    schema = JSON.parse(readFileSync(schemaPath(name), 'utf8')) as Record<string, unknown>
    cache.set(name, schema)
  }
  return schema
}
