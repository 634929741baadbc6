// YAML read and checked against a committed JSON Schema, with every problem placed at its file, line and column.
// Shared by baseline files and vmdrift.yaml; pure (text in, data or positioned errors out).
import {createRequire} from 'node:module'
import type {Ajv as AjvClass, ErrorObject, ValidateFunction} from 'ajv'
import {type Document, LineCounter, parseDocument} from 'yaml'
import {loadSchema, type SchemaName} from './schemas.js'

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

export type YamlRead = {data: unknown; doc: Document; lineCounter: LineCounter} | {errors: PositionedError[]}

/** Parses YAML strictly (unique keys, no aliases: a small file must never expand into a huge one). */
export function readYaml(text: string, file: string): YamlRead {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, uniqueKeys: true, prettyErrors: true, strict: true})
  if (doc.errors.length) {
    return {
      errors: doc.errors.map((problem) => {
        const pos = problem.linePos?.[0]
        return {file, line: pos?.line, col: pos?.col, key: '', message: `not valid YAML: ${problem.message.split('\n')[0]}`}
      }),
    }
  }
  try {
    return {data: doc.toJS({maxAliasCount: 0}), doc, lineCounter}
  } catch (error) {
    return {errors: [{file, key: '', message: (error as Error).message.split('\n')[0] ?? 'bad alias'}]}
  }
}

const validators = new Map<string, ValidateFunction>()

// ajv is loaded on first use: start-up is what every pre-test check pays, and most runs read no YAML but a baseline.
function validatorFor(name: SchemaName, allErrors: boolean): ValidateFunction {
  const id = `${name}:${allErrors}`
  let validator = validators.get(id)
  if (!validator) {
    const {Ajv} = createRequire(import.meta.url)('ajv') as {Ajv: typeof AjvClass}
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
  return actionable(validate.errors ?? []).map((error) => {
    // additionalProperties points at the parent; name the offending key instead.
    const path = pointerToPath(error.instancePath)
    const extra = error.keyword === 'additionalProperties' ? [String(error.params.additionalProperty)] : []
    const propertyName = error.keyword === 'propertyNames' ? [String(error.params.propertyName)] : []
    const keyNode = extra.length || propertyName.length ? keyOf(read.doc, path, [...extra, ...propertyName][0]!) : undefined
    const node = (keyNode ?? read.doc.getIn(path, true) ?? read.doc.contents) as {range?: [number, number, number]} | null
    const pos = node?.range ? read.lineCounter.linePos(node.range[0]) : undefined
    return {file, line: pos?.line, col: pos?.col, key: describePath(path), message: schemaMessage(error)}
  })
}

/** The key node of `name` in the mapping at `path`, so an unknown field is placed at the field, not its value. */
function keyOf(doc: Document, path: string[], name: string): unknown {
  const map = doc.getIn(path, true) as {items?: {key: {value?: unknown}}[]} | undefined
  return map?.items?.find((pair) => pair.key?.value === name)?.key
}
