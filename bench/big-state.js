// Case 3 of the bench, run in a fresh process so that its peak memory is its own:
//   node bench/big-state.js [items=10000] [changedFraction=0.01]
// Builds a synthetic baseline and snapshot of `items` file items (1% changed: 80% of those modified, 10% added,
// 10% removed), then times ONE call of the built diffStates (a `check` runs it once per process: cold, with
// JIT warm-up included). Prints one JSON line: {ms, maxRssMB, heapUsedMB, findings, items, changed}.

import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {prng} from './fixture-root.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const diffModule = path.join(here, '..', 'dist', 'drift', 'diff.js')

/**
 * The synthetic pair. Items are spread over a few collectors the way a big fleet host would look.
 * @param {number} n @param {number} fraction @param {number} [seed]
 */
export function syntheticStates(n, fraction, seed = 3) {
  const rnd = prng(seed)
  const sha = (/** @type {string} */ s) => createHash('sha256').update(s).digest('hex')
  /** @type {Record<string, Record<string, any>>} */
  const base = {files: {}}
  /** @type {Record<string, Record<string, any>>} */
  const snap = {files: {}}
  /** @type {Record<string, Record<string, {mtime: number}>>} */
  const meta = {files: {}}
  const changed = Math.round(n * fraction)
  const changedIdx = new Set()
  while (changedIdx.size < changed) changedIdx.add(Math.floor(rnd() * n))
  let k = 0
  let added = 0
  let removed = 0
  let modified = 0
  for (let i = 0; i < n; i++) {
    const key = `/usr/local/lib/app-${Math.floor(i / 100)}/module-${i % 100}.so`
    const item = {type: 'file', sha256: sha(`item ${i}`), size: 4096 + Math.floor(rnd() * 5e6), mode: '0755', owner: 'root', group: 'root'}
    meta.files[key] = {mtime: 1_700_000_000 + i}
    if (!changedIdx.has(i)) {
      base.files[key] = item
      snap.files[key] = {...item}
      continue
    }
    const r = k++ % 10
    if (r === 0) {
      snap.files[key] = item // added on the host
      added++
    } else if (r === 1) {
      base.files[key] = item // removed from the host
      removed++
    } else {
      base.files[key] = item
      snap.files[key] = {...item, sha256: sha(`changed ${i}`), size: item.size + 1}
      modified++
    }
  }
  return {baseline: {collectors: base}, snapshot: {collectors: snap, meta}, changed, added, removed, modified}
}

async function main() {
  const n = Number(process.argv[2] ?? 10_000)
  const fraction = Number(process.argv[3] ?? 0.01)
  if (!existsSync(diffModule)) {
    console.log(JSON.stringify({error: `${path.relative(process.cwd(), diffModule)} not built (run npm run build)`}))
    process.exit(3)
  }
  const {baseline, snapshot, changed, added, removed, modified} = syntheticStates(n, fraction)
  const {diffStates} = await import(pathToFileURL(diffModule).href)
  const t0 = performance.now()
  const findings = diffStates(baseline, snapshot)
  const ms = performance.now() - t0
  const ru = process.resourceUsage()
  console.log(
    JSON.stringify({
      ms,
      maxRssMB: ru.maxRSS / 1024,
      heapUsedMB: process.memoryUsage().heapUsed / 1024 / 1024,
      findings: Array.isArray(findings) ? findings.length : null,
      items: n,
      changed,
      added,
      removed,
      modified,
    }),
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.log(JSON.stringify({error: String(e?.stack ?? e)}))
    process.exit(2)
  })
}
