// What a person meets before the first run: --help of every command, a mistyped command, shell completion.
import {execFileSync} from 'node:child_process'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {repo, vmdrift} from '../support/cli.js'

interface ManifestCommand {
  summary?: string
  examples?: string[]
  pluginType: string
  flags: Record<string, {description?: string; hidden?: boolean}>
  args: Record<string, {description?: string}>
}

describe('the CLI for a person', () => {
  it('gives every command of ours a summary, examples, and a description for every flag and argument', async () => {
    const manifest = JSON.parse(await readFile(join(repo, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
    const ours = Object.entries(manifest.commands).filter(([, command]) => command.pluginType === 'core')
    expect(ours.map(([id]) => id).sort()).toEqual(['capture', 'check', 'demo', 'diff', 'init', 'restore', 'schema'])
    for (const [id, command] of ours) {
      expect(command.summary, id).toBeTruthy()
      expect(command.examples?.length, id).toBeGreaterThan(0)
      for (const [name, flag] of Object.entries(command.flags)) if (!flag.hidden) expect(flag.description, `${id} --${name}`).toBeTruthy()
      for (const [name, arg] of Object.entries(command.args)) expect(arg.description, `${id} ${name}`).toBeTruthy()
    }
  })

  it('says "did you mean" for a mistyped command, in one line, exit 2', async () => {
    const run = await vmdrift(['chek', 'helix-vm'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe("vmdrift: 'chek' is not a vmdrift command (did you mean 'check'?); see: vmdrift --help\n")
  })

  it('completes commands and their flags in bash', async () => {
    const home = await mkdtemp(join(tmpdir(), 'vmdrift-home-'))
    try {
      const env = {HOME: home, XDG_CACHE_HOME: join(home, '.cache')}
      expect((await vmdrift(['autocomplete', '--refresh-cache'], {env})).code).toBe(0)
      const functions = join(home, '.cache/vmdrift/autocomplete/functions/bash/vmdrift.bash')
      const complete = (words: string[]) =>
        execFileSync('bash', ['-c', `source "$0"; COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _vmdrift_autocomplete; echo "\${COMPREPLY[@]}"`, functions], {encoding: 'utf8'}).trim()
      expect(complete(['vmdrift', 'chec'])).toBe('check')
      expect(complete(['vmdrift', 'check', '--sh']).split(' ').sort()).toEqual(['--shard', '--show-ignored'])
    } finally {
      await rm(home, {recursive: true, force: true})
    }
  })
})
