import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {collectors} from '../collectors/index.js'
import {describeProblem} from '../yaml-validate.js'
import {HOST_KEYS, HOST_OPTION_KEYS, parseConfig} from './config.js'
import {STARTER_CONFIG} from './starter.js'

const schema = JSON.parse(readFileSync(new URL('../../schemas/config.schema.json', import.meta.url), 'utf8'))

function problems(text: string): string[] {
  const parsed = parseConfig(text, 'vmdrift.yaml')
  if (!('errors' in parsed)) throw new Error('expected errors')
  return parsed.errors.map(describeProblem)
}

describe('config', () => {
  it('keeps the committed schema in step with the code: collectors and host options', () => {
    expect(Object.keys(schema.properties.collectors.properties).sort()).toEqual(collectors.map((c) => c.id).sort())
    expect(Object.keys(schema.definitions.hostOptions.properties).sort()).toEqual([...HOST_OPTION_KEYS].sort())
    expect(Object.keys(schema.definitions.host.properties).sort()).toEqual([...HOST_KEYS].sort())
  })

  it('reads the starter file init writes, hosts and all', () => {
    const parsed = parseConfig(STARTER_CONFIG, 'vmdrift.yaml')
    expect('config' in parsed && parsed.config).toMatchObject({baselines: 'baselines', concurrency: 8, hosts: {'helix-vm': {}}, ignore: []})
  })

  it('reads hosts, defaults and ignore rules in both forms, each rule placed at its line', () => {
    const text = [
      'baselines: golden',
      'hosts:',
      '  a: {target: me@127.0.0.1:2222, sudo: true}',
      '  b:',
      'defaults: {timeout: 5}',
      'collectors: {docker: false}',
      'ignore:',
      '  # comments anywhere',
      '  - systemd:/etc/systemd/system/*.timer',
      '  - pattern: "!systemd:/etc/systemd/system/backup.timer"',
      '    reason: backups matter',
      '    expires: 2027-01-31',
      '',
    ].join('\n')
    const parsed = parseConfig(text, 'vmdrift.yaml')
    if (!('config' in parsed)) throw new Error(parsed.errors.map(describeProblem).join('\n'))
    expect(parsed.config.hosts).toEqual({a: {target: 'me@127.0.0.1:2222', sudo: true}, b: {}})
    expect(parsed.config.collectors).toEqual({docker: false})
    expect(parsed.config.ignore).toEqual([
      {pattern: 'systemd:/etc/systemd/system/*.timer', negate: false, source: 'vmdrift.yaml:9'},
      {pattern: 'systemd:/etc/systemd/system/backup.timer', negate: true, reason: 'backups matter', expires: '2027-01-31', source: 'vmdrift.yaml:10'},
    ])
  })

  it('names the key, file, line and column of every error, all of them at once', () => {
    const text = ['hosts:', '  a:', '    sudo: yes please', '    sudoo: true', 'concurrency: 0', 'collectors: {dockr: false}', 'ignore:', '  - pattern: x', '    expires: 31/12/2026', '  - 42', ''].join('\n')
    expect(problems(text).sort()).toEqual(
      [
        'vmdrift.yaml:3:11: hosts.a.sudo must be boolean',
        "vmdrift.yaml:4:5: hosts.a unknown field 'sudoo'",
        'vmdrift.yaml:5:14: concurrency must be >= 1',
        "vmdrift.yaml:6:14: collectors unknown field 'dockr'",
        'vmdrift.yaml:9:14: ignore[0].expires must match pattern "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"',
        'vmdrift.yaml:10:5: ignore[1] must be a pattern, or a mapping of pattern, reason and expires',
      ].sort(),
    )
  })

  it('refuses a date that does not exist, and YAML that is not YAML', () => {
    expect(problems('ignore:\n  - {pattern: x, expires: 2026-02-30}\n')).toEqual(['vmdrift.yaml:2:27: ignore[0].expires 2026-02-30 is not a date'])
    expect(problems('hosts: [\n')[0]).toMatch(/^vmdrift\.yaml:\d+:\d+: not valid YAML: /)
    expect(problems('hosts: {a: {}}\nhosts: {}\n')[0]).toMatch(/^vmdrift\.yaml:2:1: not valid YAML: .*unique/)
  })

  it('reads an empty file as the defaults', () => {
    const parsed = parseConfig('# nothing yet\n', 'vmdrift.yaml')
    expect('config' in parsed && parsed.config.hosts).toEqual({})
  })
})
