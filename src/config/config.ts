// vmdrift.yaml: hosts, collectors on/off, watched files, ignore and redaction rules, the baseline directory.
// Pure: text in, `{config}` or `{errors}` out, every error placed at its key, file, line and column.
import type {IgnoreRule} from '../drift/ignore.js'
import {describePath, type PositionedError, positionsOf, readYaml, schemaProblems} from '../yaml-validate.js'

/** Options that may be set for every host (`defaults:`) or for one; a flag on the command line beats both. */
export interface HostOptions {
  sudo?: boolean
  root?: string
  identity?: string
  'known-hosts'?: string
  'ssh-config'?: string
  timeout?: number
  'accept-new-host-key'?: boolean
}

export interface HostConfig extends HostOptions {
  /** ssh_config alias, user@host[:port] or local; the host's name when absent */
  target?: string
  baseline?: string
  watch?: string[]
}

export interface Config {
  /** the file it was read from; absent when there was none */
  file?: string
  baselines: string
  concurrency: number
  /** collector id → off when false; a collector not named is on */
  collectors: Record<string, boolean>
  watch: string[]
  ignore: IgnoreRule[]
  redact: string[]
  defaults: HostOptions
  hosts: Record<string, HostConfig>
}

/** The keys of HostOptions, once: the schema's `hostOptions` is tested against this list. */
export const HOST_OPTION_KEYS = ['sudo', 'root', 'identity', 'known-hosts', 'ssh-config', 'timeout', 'accept-new-host-key'] as const satisfies readonly (keyof HostOptions)[]
export const HOST_KEYS = ['target', 'baseline', 'watch', ...HOST_OPTION_KEYS] as const satisfies readonly (keyof HostConfig)[]

export {DEFAULT_CONFIG_FILE} from '../defaults.js'

export function defaultConfig(): Config {
  return {baselines: 'baselines', concurrency: 8, collectors: {}, watch: [], ignore: [], redact: [], defaults: {}, hosts: {}}
}

type RawRule = string | {pattern: string; reason?: string; expires?: string}

interface RawConfig {
  baselines?: string
  concurrency?: number
  collectors?: Record<string, boolean>
  watch?: string[]
  ignore?: RawRule[]
  redact?: string[]
  defaults?: HostOptions
  hosts?: Record<string, HostConfig | null>
}

/** A calendar date that exists: the schema's pattern lets 2026-02-30 through. */
function isRealDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date)
}

export function parseConfig(text: string, file: string): {config: Config} | {errors: PositionedError[]} {
  const read = readYaml(text, file)
  if ('errors' in read) return read
  // An empty file (or one of comments only) is an empty config.
  if (read.data === null || read.data === undefined) return {config: {...defaultConfig(), file}}
  const errors = schemaProblems(read, file, 'config', {allErrors: true})
  if (errors.length) return {errors}

  const raw = read.data as RawConfig
  const at = positionsOf(read)
  const rules: IgnoreRule[] = []
  for (const [index, entry] of (raw.ignore ?? []).entries()) {
    const rule = typeof entry === 'string' ? {pattern: entry} : entry
    const pos = at(['ignore', index])
    const negate = rule.pattern.startsWith('!')
    if (rule.expires !== undefined && !isRealDate(rule.expires)) {
      const where = at(['ignore', index, 'expires'])
      errors.push({file, line: where?.line, col: where?.col, key: describePath(['ignore', String(index), 'expires']), message: `${rule.expires} is not a date`})
    }
    rules.push({
      pattern: negate ? rule.pattern.slice(1) : rule.pattern,
      negate,
      ...(rule.reason !== undefined ? {reason: rule.reason} : {}),
      ...(rule.expires !== undefined ? {expires: rule.expires} : {}),
      source: pos ? `${file}:${pos.line}` : file,
    })
  }
  if (errors.length) return {errors}
  const defaults = defaultConfig()
  return {
    config: {
      file,
      baselines: raw.baselines ?? defaults.baselines,
      concurrency: raw.concurrency ?? defaults.concurrency,
      collectors: raw.collectors ?? {},
      watch: raw.watch ?? [],
      ignore: rules,
      redact: raw.redact ?? [],
      defaults: raw.defaults ?? {},
      hosts: Object.fromEntries(Object.entries(raw.hosts ?? {}).map(([name, host]) => [name, host ?? {}])),
    },
  }
}
