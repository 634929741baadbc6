import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parseUnitSyntax} from './syntax.js'

const readUnit = (path: string) => readFileSync(new URL(`./__fixtures__/rootfs${path}`, import.meta.url), 'utf8')

describe('systemd unit syntax', () => {
  it('reads the real getty@.service: repeated keys in order, comments left out', () => {
    const directives = parseUnitSyntax(readUnit('/lib/systemd/system/getty@.service'))
    expect(directives.get('[Unit] After')).toEqual([
      'systemd-user-sessions.service plymouth-quit-wait.service getty-pre.target',
      'rc-local.service',
    ])
    expect(directives.get('[Unit] Documentation')).toEqual([
      'man:agetty(8) man:systemd-getty-generator(8)',
      'https://0pointer.de/blog/projects/serial-console.html',
    ])
    expect(directives.get('[Service] ExecStart')).toEqual(["-/sbin/agetty -o '-p -- \\\\u' --noclear - $TERM"])
    expect(directives.get('[Install] DefaultInstance')).toEqual(['tty1'])
    expect([...directives.keys()].some((field) => field.includes('#'))).toBe(false)
  })

  it('reads CRLF line ends like LF', () => {
    const unit = readUnit('/etc/systemd/system/helix-drm-manager.service')
    expect(parseUnitSyntax(unit.replaceAll('\n', '\r\n'))).toEqual(parseUnitSyntax(unit))
  })

  it('joins continuation lines, skipping comment lines inside them', () => {
    const directives = parseUnitSyntax(
      '[Unit]\nAfter=systemd-udev-settle.service \\\n# the DRM device\n    network-online.target\nWants = a.service\n',
    )
    expect(directives.get('[Unit] After')).toEqual(['systemd-udev-settle.service      network-online.target'])
    expect(directives.get('[Unit] Wants')).toEqual(['a.service'])
  })

  it('does not continue a line ending in an escaped backslash, nor a comment', () => {
    const directives = parseUnitSyntax('[Service]\nExecStart=/bin/echo \\\\\n# note \\\nType=oneshot\n')
    expect(directives.get('[Service] ExecStart')).toEqual(['/bin/echo \\\\'])
    expect(directives.get('[Service] Type')).toEqual(['oneshot'])
  })

  it('keeps an empty assignment, which resets the list', () => {
    expect(parseUnitSyntax('[Unit]\nAfter=\nAfter=multi-user.target\n').get('[Unit] After')).toEqual(['', 'multi-user.target'])
  })
})
