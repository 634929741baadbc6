import {describe, expect, it} from 'vitest'
import {DRIFT_CLASSES} from './model.js'
import {loadSchema} from './schemas.js'

interface Definitions {
  definitions: {result: {properties: {counts: {required: string[]}}}; finding: {properties: {class: {enum: string[]}}}}
}

describe('schemas', () => {
  it('check-result names exactly the drift classes the code defines, in findings and in counts', () => {
    const schema = loadSchema('check-result') as unknown as Definitions
    expect(schema.definitions.finding.properties.class.enum).toEqual([...DRIFT_CLASSES])
    expect(schema.definitions.result.properties.counts.required).toEqual(['items', 'findings', ...DRIFT_CLASSES])
  })
})
