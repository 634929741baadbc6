import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {evaluateAssignments, parseShellAssignments} from './shell-assignments.js'

const etcDefaultGrub = readFileSync(new URL('./__fixtures__/etc-default-grub.txt', import.meta.url), 'utf8')

const evaluate = (...texts: string[]) => Object.fromEntries(evaluateAssignments(texts.map(parseShellAssignments)))

describe('kernel-cmdline shell assignments', () => {
  it("reads the VM's /etc/default/grub, keeping the command substitution as written", () => {
    const script = parseShellAssignments(etcDefaultGrub)
    expect(script.unsupported).toEqual([])
    expect(evaluate(etcDefaultGrub)).toEqual({
      GRUB_DEFAULT: '0',
      GRUB_TIMEOUT: '5',
      GRUB_DISTRIBUTOR: '`lsb_release -i -s 2> /dev/null || echo Debian`',
      GRUB_CMDLINE_LINUX_DEFAULT: 'video=Virtual-1:1920x1080',
      GRUB_CMDLINE_LINUX: 'console=ttyS0,115200',
      GRUB_TERMINAL: 'console serial',
      GRUB_SERIAL_COMMAND: 'serial --speed=115200',
    })
    expect(script.assignments.find((assignment) => assignment.name === 'GRUB_CMDLINE_LINUX')?.line).toBe(10)
  })

  it('expands $VAR and ${VAR} in double quotes and bare, the last assignment winning across files', () => {
    expect(
      evaluate(
        'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n',
        'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT video=Virtual-1:1920x1080"\n',
        'export GRUB_CMDLINE_LINUX=${GRUB_CMDLINE_LINUX_DEFAULT}\nGRUB_CMDLINE_LINUX_DEFAULT=\'$NOT_EXPANDED\'\n',
      ),
    ).toEqual({GRUB_CMDLINE_LINUX_DEFAULT: '$NOT_EXPANDED', GRUB_CMDLINE_LINUX: 'quiet video=Virtual-1:1920x1080'})
  })

  it('reads quoting, escapes, comments, continuations and several assignments on a line', () => {
    expect(
      evaluate('A=one\\ two B="say \\"hi\\" \\$x" # a comment\nC="a\\\nb"; D=x\'y z\'\nexport E\nF=\n'),
    ).toEqual({A: 'one two', B: 'say "hi" $x', C: 'ab', D: 'xy z', F: ''})
  })

  it('expands an unset variable to nothing, or keeps it as written when asked', () => {
    const script = parseShellAssignments('GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT quiet"\n')
    expect(evaluateAssignments([script]).get('GRUB_CMDLINE_LINUX_DEFAULT')).toBe(' quiet')
    expect(evaluateAssignments([script], {unsetStays: true}).get('GRUB_CMDLINE_LINUX_DEFAULT')).toBe('$GRUB_CMDLINE_LINUX_DEFAULT quiet')
  })

  it('keeps $(…) and ${VAR:-…} literally and lists the statements it does not follow', () => {
    const script = parseShellAssignments(
      'if [ -e /sys/firmware/efi ]; then\n  GRUB_CMDLINE_LINUX="$(cat /etc/kopts) ${EXTRA:-nomodeset}"\nfi\nA=1 true\n',
    )
    expect(script.unsupported).toEqual([
      {line: 1, text: 'if [ -e /sys/firmware/efi ]; then'},
      {line: 3, text: 'fi'},
      {line: 4, text: 'A=1 true'},
    ])
    expect(script.assignments.map(({name, parts}) => ({name, parts}))).toEqual([
      {
        name: 'GRUB_CMDLINE_LINUX',
        parts: [{kind: 'literal', raw: '$(cat /etc/kopts)'}, {kind: 'text', text: ' '}, {kind: 'literal', raw: '${EXTRA:-nomodeset}'}],
      },
    ])
  })
})
