import {describe, expect, it} from 'vitest'
import {itemText, lineChange, scalarChanges, setChange} from './shared.js'

describe('collectors shared', () => {
  it('shows file content, a link target, or the fields one per line', () => {
    expect(itemText({type: 'dropin', mode: '0644', owner: 'root', content: '[Unit]\nAfter=a.service\n'})).toBe('[Unit]\nAfter=a.service\n')
    expect(itemText({type: 'mask', target: '/dev/null'})).toBe('-> /dev/null\n')
    expect(itemText({type: 'configured', cmdline: 'console=ttyS0,115200 quiet'})).toBe('type: configured\ncmdline: console=ttyS0,115200 quiet\n')
    expect(itemText({type: 'grub-cfg', entries: ['/vmlinuz-6.1.0-17-amd64 ro quiet', '/vmlinuz-6.1.0-17-amd64 ro single']})).toBe(
      'type: grub-cfg\nentries:\n  - /vmlinuz-6.1.0-17-amd64 ro quiet\n  - /vmlinuz-6.1.0-17-amd64 ro single\n',
    )
    expect(itemText({type: 'dir', owner: 'root', mode: '0755', group: 'root'})).toBe('type: dir\ngroup: root\nmode: 0755\nowner: root\n')
  })

  it('diffs sets, one out and one in as a replacement unless told otherwise', () => {
    expect(setChange('[Unit] After', ['a', 'b'], ['b', 'a'])).toBeUndefined()
    expect(setChange('[Unit] After', ['a', 'b'], ['b', 'c'])).toEqual({field: '[Unit] After', from: 'a', to: 'c'})
    expect(setChange('cmdline', ['quiet'], ['splash'], () => false)).toEqual({field: 'cmdline', added: ['splash'], removed: ['quiet']})
  })

  it('diffs fields as text, leaving out the side that is absent', () => {
    expect(scalarChanges({type: 'file', size: 1, mode: '0644'}, {type: 'file', size: 2, owner: 'root'})).toEqual([
      {field: 'size', from: '1', to: '2'},
      {field: 'mode', from: '0644'},
      {field: 'owner', to: 'root'},
    ])
  })

  it('diffs lines as a multiset, ignoring indentation and blank lines', () => {
    expect(lineChange('content', 'a\n  b\n\nb\n', 'b\r\na\nc\n')).toEqual({field: 'content', added: ['c'], removed: ['b']})
  })
})
