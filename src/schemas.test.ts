import {Ajv} from 'ajv'
import {describe, expect, it} from 'vitest'
import {HOST_STATUSES} from './core/fleet.js'
import {DRIFT_CLASSES} from './core/types.js'
import {loadSchema, SCHEMA_NAMES} from './schemas.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- schema documents

describe('committed schemas', () => {
  it('compile, all of them together (fleet-result refers to check-result)', () => {
    const ajv = new Ajv({strict: true, allowUnionTypes: true})
    for (const name of SCHEMA_NAMES) ajv.addSchema(loadSchema(name))
    for (const name of SCHEMA_NAMES) expect(ajv.getSchema((loadSchema(name) as Json).$id), name).toBeTypeOf('function')
  })

  it('name the drift classes and host statuses the code defines, no more, no fewer', () => {
    const check = loadSchema('check-result') as Json
    expect([...check.definitions.finding.properties.class.enum].sort()).toEqual([...DRIFT_CLASSES].sort())
    const fleet = loadSchema('fleet-result') as Json
    expect([...fleet.definitions.host.properties.status.enum].sort()).toEqual([...HOST_STATUSES].sort())
    expect(Object.keys(fleet.properties.counts.properties).sort()).toEqual(['hosts', ...HOST_STATUSES].sort())
  })
})
