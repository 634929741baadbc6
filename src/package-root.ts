// The directory of vmdrift's package.json, from wherever this code runs: src/ under vitest, dist/ after tsc, or
// a chunk of dist/bundle/. Files shipped beside the code (schemas/, the demo fixture) are found from it.
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let root: string | undefined

export function packageRoot(): string {
  if (root) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  root = dir
  return root
}
