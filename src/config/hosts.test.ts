import {describe, expect, it} from 'vitest'
import {defaultConfig, parseConfig} from './config.js'
import {parseShard, planHosts, shardHosts} from './hosts.js'
import {parseInventory} from './inventory.js'

function config(yaml: string) {
  const parsed = parseConfig(yaml, 'vmdrift.yaml')
  if ('errors' in parsed) throw new Error(JSON.stringify(parsed.errors))
  return parsed.config
}

describe('host planning', () => {
  it('settles each option: the flag, else the host, else the defaults, else the built-in default', () => {
    const c = config('baselines: golden\ndefaults: {sudo: true, timeout: 9, identity: /k/default}\nhosts:\n  a: {target: me@127.0.0.1:2222, timeout: 3}\n  b: {sudo: false}\n')
    const [a, b] = planHosts(c, {names: [], all: true}, {})
    expect(a).toMatchObject({name: 'a', target: 'me@127.0.0.1:2222', baselineFile: 'golden/a.yaml', sudo: true, timeout: 3, identity: '/k/default'})
    expect(b).toMatchObject({name: 'b', target: 'b', sudo: false, timeout: 9})
    const [flagged] = planHosts(c, {names: ['a'], all: false}, {sudo: false, timeout: 1, identity: '/k/flag'})
    expect(flagged).toMatchObject({sudo: false, timeout: 1, identity: '/k/flag'})
    const [bare] = planHosts(defaultConfig(), {names: ['local'], all: false}, {})
    expect(bare).toMatchObject({target: 'local', baselineFile: 'baselines/local.yaml', sudo: false, timeout: 60, acceptNewHostKey: false})
  })

  it('refuses no host at all, and --baseline for more than one', () => {
    expect(() => planHosts(defaultConfig(), {names: [], all: false}, {})).toThrow(/name a host, or use --all/)
    expect(() => planHosts(defaultConfig(), {names: ['a', 'b'], all: false}, {baseline: 'x.yaml'})).toThrow(/--baseline names one file/)
  })

  it('shards every host into exactly one of N shares, whatever the order given', () => {
    const hosts = Array.from({length: 23}, (_, i) => ({name: `h${String(i).padStart(2, '0')}`})).reverse()
    for (let count = 1; count <= 7; count++) {
      const shares = Array.from({length: count}, (_, k) => shardHosts(hosts, {index: k + 1, count}).map((h) => h.name))
      expect(shares.flat().sort()).toEqual(hosts.map((h) => h.name).sort())
      expect(Math.max(...shares.map((s) => s.length)) - Math.min(...shares.map((s) => s.length))).toBeLessThanOrEqual(1)
    }
    expect(parseShard('2/4')).toEqual({index: 2, count: 4})
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/give K\/N/)
  })

  it('reads an Ansible YAML inventory: groups, children, vars inherited and overridden', () => {
    const inventory = parseInventory(
      [
        'all:',
        '  vars: {ansible_user: deploy}',
        '  hosts:',
        '    solo:',
        '  children:',
        '    web:',
        '      vars: {ansible_port: 2222}',
        '      hosts:',
        '        web1: {ansible_host: 127.0.0.1}',
        '        web2: {ansible_host: "::1", ansible_user: root}',
        '      children:',
        '        canary:',
        '          hosts:',
        '            web3: {ansible_host: 127.0.0.3, ansible_port: 22}',
        '',
      ].join('\n'),
      'hosts.yml',
    )
    expect(inventory.hosts).toEqual({solo: 'deploy@solo', web1: 'deploy@127.0.0.1:2222', web2: 'root@[::1]:2222', web3: 'deploy@127.0.0.3:22'})
    expect(inventory.groups.web).toEqual(['web1', 'web2', 'web3'])
    expect(inventory.groups.all).toEqual(['solo', 'web1', 'web2', 'web3'])
    const plans = planHosts(defaultConfig(), {names: ['canary', 'solo'], all: false, inventory}, {})
    expect(plans.map((p) => [p.name, p.target])).toEqual([['web3', 'deploy@127.0.0.3:22'], ['solo', 'deploy@solo']])
  })
})
