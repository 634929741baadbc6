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

  it("prints the very help of node_modules' unedited oclif (scripts/bundle.js edits oclif as it bundles it)", async () => {
    const manifest = JSON.parse(await readFile(join(repo, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
    const plugin = JSON.parse(await readFile(join(repo, 'node_modules/@oclif/plugin-autocomplete/oclif.manifest.json'), 'utf8')) as typeof manifest
    // The edit that sorts the commands by code unit instead of localeCompare: the same order for these ids.
    const ids = [...Object.keys(manifest.commands), ...Object.keys(plugin.commands)]
    expect(ids.toSorted()).toEqual(ids.toSorted((a, b) => a.localeCompare(b)))
    const argvs = [[], ...Object.keys(manifest.commands).map((id) => [id, '--help']), ['autocomplete', '--help']]
    const probe = [
      `import {Config, Help} from '@oclif/core'`,
      `const config = await Config.load(${JSON.stringify(repo)})`,
      `const out = []`,
      `const write = process.stdout.write`,
      `for (const argv of ${JSON.stringify(argvs)}) {`,
      `  let text = ''`,
      `  process.stdout.write = (chunk) => ((text += chunk), true)`,
      `  await new Help(config, config.pjson.oclif.helpOptions).showHelp(argv)`,
      `  process.stdout.write = write`,
      `  out.push(text)`,
      `}`,
      `console.log(JSON.stringify(out))`,
    ].join('\n')
    const env = {...process.env, NO_COLOR: '1', OCLIF_COLUMNS: '100'}
    const unedited = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], {cwd: repo, env, encoding: 'utf8'})) as string[]
    const runs = await Promise.all(argvs.map((argv) => vmdrift(argv, {env: {OCLIF_COLUMNS: '100'}})))
    for (const [i, run] of runs.entries()) {
      expect(run.code, argvs[i].join(' ')).toBe(0)
      expect(run.stdout, argvs[i].join(' ')).toBe(unedited[i])
    }
    expect(unedited[2]).toContain('vmdrift check helix-vm && ./run-tests')
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
