// YAML read and checked against a committed JSON Schema, with every problem placed at its file, line and column.
// Shared by baseline files and vmdrift.yaml; pure (text in, data or positioned errors out).
import {createRequire} from 'node:module'
import type {Ajv as AjvClass, ErrorObject, ValidateFunction} from 'ajv'
import type * as JsYaml from 'js-yaml'
import type * as Yaml from 'yaml'
import {loadSchema, type SchemaName} from './schemas.js'

const require = createRequire(import.meta.url)
// The YAML libraries, like ajv below, load on first use: a command reads YAML once its host is connecting (or
// reads none: no vmdrift.yaml), and loading them before the first byte went out cost every capture and check.
const jsYaml = () => require('js-yaml') as typeof JsYaml
const yaml = () => require('yaml') as typeof Yaml

/** One problem, where it is: `vmdrift.yaml:12:5: hosts.helix-vm.sudo must be boolean`. */
export interface PositionedError {
  file: string
  line?: number
  col?: number
  /** the key path, as a person writes it: `hosts.helix-vm.sudo` (empty for the document) */
  key: string
  message: string
}

export function describeProblem(error: PositionedError): string {
  const where = error.line === undefined ? error.file : `${error.file}:${error.line}:${error.col}`
  return `${where}: ${error.key ? `${error.key} ` : ''}${error.message}`
}

export type YamlRead = {data: unknown; text: string} | {errors: PositionedError[]}

/** A piece of YAML as readYaml reads it (CORE_SCHEMA, unique keys), or undefined where it is not valid YAML. */
export function loadQuietly(text: string): unknown {
  const {load, CORE_SCHEMA} = jsYaml()
  try {
    return load(text, {schema: CORE_SCHEMA})
  } catch {
    return undefined
  }
}

/**
 * Parses YAML strictly (unique keys, no aliases: a small file must never expand into a huge one), in linear time:
 * js-yaml, about 0.2 s for a 10,000-item baseline, where the `yaml` package took 3 s and its duplicate-key check
 * made it quadratic (28 s at 20,000 items). `yaml` parses again only to place a schema error (schemaProblems).
 */
export function readYaml(text: string, file: string): YamlRead {
  let data: unknown
  try {
    // CORE_SCHEMA: YAML 1.2's types, as `yaml` writes them (no timestamps, no yes/no booleans).
    const {load, CORE_SCHEMA} = jsYaml()
    data = load(text, {schema: CORE_SCHEMA, filename: file})
  } catch (error) {
    if (error instanceof jsYaml().YAMLException) {
      const mark = error.mark as {line?: number; column?: number} | undefined
      const reason = error.reason === 'duplicated mapping key' ? 'duplicated mapping key: keys must be unique' : error.reason
      return {errors: [{file, line: mark?.line === undefined ? undefined : mark.line + 1, col: mark?.column === undefined ? undefined : mark.column + 1, key: '', message: `not valid YAML: ${reason}`}]}
    }
    if (error instanceof RangeError) return {errors: [{file, key: '', message: 'nested too deeply'}]}
    throw error
  }
  if (mayHoldAnchor(text) && sharesNodes(data)) return {errors: [{file, key: '', message: 'YAML aliases are not allowed'}]}
  return {data, text}
}

/**
 * Where each node of a read document is (`[line, col]` of a key path), parsed again with `yaml` on first use: the
 * positions a config's ignore rules cite. Small files only need it; a baseline never does unless it is wrong.
 */
export function positionsOf(read: Exclude<YamlRead, {errors: PositionedError[]}>): (path: (string | number)[]) => {line: number; col: number} | undefined {
  let parsed: {doc: Yaml.Document; lineCounter: Yaml.LineCounter} | undefined
  return (path) => {
    if (!parsed) {
      const {LineCounter, parseDocument} = yaml()
      const lineCounter = new LineCounter()
      parsed = {doc: parseDocument(read.text, {lineCounter, uniqueKeys: false}), lineCounter}
    }
    const node = parsed.doc.getIn(path, true) as {range?: [number, number, number]} | undefined
    return node?.range ? parsed.lineCounter.linePos(node.range[0]) : undefined
  }
}

/**
 * False only when the text holds no anchor, so no alias (js-yaml refuses an alias to an anchor it has not seen).
 * An anchor is `&` where a node starts: at the start, or after a space, `[`, `{`, `,` or `:`; any `&` not after a
 * letter or digit counts. Most baselines have none and skip the walk over every node; one with `a && b` in a
 * unit's content just takes the walk.
 */
export function mayHoldAnchor(text: string): boolean {
  return /(?:^|\W)&/.test(text)
}

/** True when one object or array appears twice in the tree (what a YAML alias makes). Iterative: no depth limit. */
function sharesNodes(root: unknown): boolean {
  const seen = new Set<object>()
  const stack: unknown[] = [root]
  while (stack.length) {
    const node = stack.pop()
    if (node === null || typeof node !== 'object') continue
    if (seen.has(node)) return true
    seen.add(node)
    for (const value of Object.values(node)) if (value !== null && typeof value === 'object') stack.push(value)
  }
  return false
}

const validators = new Map<string, ValidateFunction>()

// ajv is loaded on first use: start-up is what every pre-test check pays, and most runs read no YAML but a baseline.
function validatorFor(name: SchemaName, allErrors: boolean): ValidateFunction {
  const id = `${name}:${allErrors}`
  let validator = validators.get(id)
  if (!validator) {
    const {Ajv} = require('ajv') as {Ajv: typeof AjvClass}
    validator = new Ajv({allErrors, strict: true, allowUnionTypes: true}).compile(loadSchema(name))
    validators.set(id, validator)
  }
  return validator
}

function pointerToPath(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
}

export function describePath(path: string[]): string {
  if (!path.length) return 'the document'
  return path
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : /^[\w-]+$/.test(part) ? `${i ? '.' : ''}${part}` : `[${JSON.stringify(part)}]`))
    .join('')
}

function schemaMessage(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return `unknown field '${String(error.params.additionalProperty)}'`
  if (error.keyword === 'enum') return `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`
  if (error.keyword === 'propertyNames') return `has an invalid name '${String(error.params.propertyName)}'`
  if (error.keyword === 'oneOf') return 'must be a pattern, or a mapping of pattern, reason and expires'
  return error.message ?? error.keyword
}

/**
 * A `oneOf` (a string or a mapping) fails with one error per branch; keep what a person can act on: the errors
 * inside the branch they wrote, or else one line saying what the value may be.
 */
function actionable(errors: ErrorObject[]): ErrorObject[] {
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath))
  return errors.filter((error) => {
    if (!oneOfAt.has(error.instancePath)) return true
    // a branch's own complaint (`must be string` of a mapping): the oneOf says it better
    if (error.keyword !== 'oneOf') return false
    return !errors.some((other) => other.instancePath.startsWith(`${error.instancePath}/`))
  })
}

/** Validates against a committed schema; each error placed at the key it is about. */
export function schemaProblems(read: Exclude<YamlRead, {errors: PositionedError[]}>, file: string, schema: SchemaName, options: {allErrors?: boolean} = {}): PositionedError[] {
  const validate = validatorFor(schema, options.allErrors ?? false)
  if (validate(read.data)) return []
  // Positions only now that there is an error to place: the slow parse that keeps them.
  const {LineCounter, parseDocument} = yaml()
  const lineCounter = new LineCounter()
  const doc = parseDocument(read.text, {lineCounter, uniqueKeys: false})
  return actionable(validate.errors ?? []).map((error) => {
    // additionalProperties points at the parent; name the offending key instead.
    const path = pointerToPath(error.instancePath)
    const extra = error.keyword === 'additionalProperties' ? [String(error.params.additionalProperty)] : []
    const propertyName = error.keyword === 'propertyNames' ? [String(error.params.propertyName)] : []
    const keyNode = extra.length || propertyName.length ? keyOf(doc, path, [...extra, ...propertyName][0]!) : undefined
    const node = (keyNode ?? doc.getIn(path, true) ?? doc.contents) as {range?: [number, number, number]} | null
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined
    return {file, line: pos?.line, col: pos?.col, key: describePath(path), message: schemaMessage(error)}
  })
}

/** The key node of `name` in the mapping at `path`, so an unknown field is placed at the field, not its value. */
function keyOf(doc: Yaml.Document, path: string[], name: string): unknown {
  const map = doc.getIn(path, true) as {items?: {key: {value?: unknown}}[]} | undefined
  return map?.items?.find((pair) => pair.key?.value === name)?.key
}
