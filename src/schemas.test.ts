import {Ajv} from 'ajv'
import {describe, expect, it} from 'vitest'
import {HOST_STATUSES} from './core/fleet.js'
import {DRIFT_CLASSES} from './model.js'
import {loadSchema, SCHEMA_NAMES} from './schemas.js'

interface Definitions {
  definitions: {result: {properties: {counts: {required: string[]}}}; finding: {properties: {class: {enum: string[]}}}}
}

interface FleetSchema {
  properties: {counts: {properties: Record<string, unknown>}}
  definitions: {host: {properties: {status: {enum: string[]}}}}
}

describe('schemas', () => {
  it('compile, all of them together (fleet-result refers to check-result)', () => {
    const ajv = new Ajv({strict: true, allowUnionTypes: true})
    for (const name of SCHEMA_NAMES) ajv.addSchema(loadSchema(name))
    for (const name of SCHEMA_NAMES) expect(ajv.getSchema(String(loadSchema(name).$id)), name).toBeTypeOf('function')
  })

  it('check-result names exactly the drift classes the code defines, in findings and in counts', () => {
    const schema = loadSchema('check-result') as unknown as Definitions
    expect(schema.definitions.finding.properties.class.enum).toEqual([...DRIFT_CLASSES])
    expect(schema.definitions.result.properties.counts.required).toEqual(['items', 'findings', ...DRIFT_CLASSES, 'ignored'])
  })

  it('fleet-result names exactly the host statuses the code defines, in hosts and in counts', () => {
    const fleet = loadSchema('fleet-result') as unknown as FleetSchema
    expect(fleet.definitions.host.properties.status.enum).toEqual([...HOST_STATUSES])
    expect(Object.keys(fleet.properties.counts.properties)).toEqual(['hosts', ...HOST_STATUSES])
  })
})
