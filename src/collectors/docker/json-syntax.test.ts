import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {jsonSyntaxError} from './json-syntax.js'

const daemonJson = readFileSync(new URL('./__fixtures__/daemon.json', import.meta.url), 'utf8')

describe('docker jsonSyntaxError', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const text of [daemonJson, '{}', '[]', '0', '-1.5e+3', '"a\\u00e9\\n"', '{"a": [true, false, null, {"b": []}]}']) {
      expect(jsonSyntaxError(text), text).toBeUndefined()
      expect(() => JSON.parse(text)).not.toThrow()
    }
  })

  it('says where the first error is and what it is', () => {
    expect(jsonSyntaxError('{\n  "debug": true,\n}\n')).toBe('line 3, column 1: property name expected')
    expect(jsonSyntaxError('{"dns": ["8.8.8.8",]}')).toBe('line 1, column 20: value expected')
    expect(jsonSyntaxError('{\n  debug: true\n}')).toBe('line 2, column 3: invalid symbol')
    expect(jsonSyntaxError('{\n  "debug": true\n  "live-restore": true\n}')).toBe('line 3, column 3: comma expected')
    expect(jsonSyntaxError('{"debug": tru}')).toBe('line 1, column 11: invalid symbol')
    expect(jsonSyntaxError('{"log-opts": {"max-size": "10m"}')).toBe('line 1, column 33: close brace expected')
    expect(jsonSyntaxError('{"data-root": "/var/lib/docker}')).toBe('line 1, column 15: unexpected end of string')
    expect(jsonSyntaxError('{} {}')).toBe('line 1, column 4: end of file expected')
    expect(jsonSyntaxError('// comment\n{}')).toBe('line 1, column 1: invalid comment token')
  })
})
