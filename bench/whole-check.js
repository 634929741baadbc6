// Case 3 of the bench: the WHOLE `check` of a big host from its baseline file, in a fresh process so that its peak
// memory is its own:
//   node bench/whole-check.js prepare DIR ITEMS   builds DIR/root (ITEMS watched files, 1% then changed) and
//                                                 DIR/baseline.yaml captured before the change; prints {items}
//   node bench/whole-check.js run DIR             times check(): read and parse the baseline, validate it, read
//                                                 the host (one script, as `check local --root` does), diff, and
//                                                 render the text report; prints {ms, maxRssMB, findings, items, bytes}
// Node's own start-up is not in `ms` (case 4 measures it); the host read is: it is half of what a check is.
// The files are empty (no blocks on disk: 100,000 of them cost inodes, not 400 MB); the changed ones get a line.

import {existsSync, mkdirSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const dist = (/** @type {string} */ file) => pathToFileURL(path.join(here, '..', 'dist', file)).href

/** @param {string} dir @param {number} n */
async function prepare(dir, n) {
  const root = path.join(dir, 'root')
  // 100 files a directory, as a big /opt tree would hold them; watched by one glob.
  for (let i = 0; i < n; i++) {
    const sub = path.join(root, 'opt/app', `lib-${Math.floor(i / 100)}`)
    if (i % 100 === 0) mkdirSync(sub, {recursive: true})
    writeFileSync(path.join(sub, `module-${i % 100}.so`), '')
  }
  const {capture} = await import(dist('core/capture.js'))
  const {LocalTarget} = await import(dist('transport/local.js'))
  const baselineFile = path.join(dir, 'baseline.yaml')
  const result = await capture(new LocalTarget(), {baselineFile, watch: ['/opt/app/*/*'], root})
  // 1% changed after the capture: what the check has to find.
  for (let i = 0; i < n; i += 100) writeFileSync(path.join(root, 'opt/app', `lib-${Math.floor(i / 100)}`, `module-${(i / 100) % 100}.so`), `rebuilt ${i}\n`)
  return {items: result.items}
}

/** @param {string} dir */
async function run(dir) {
  const [{check}, {LocalTarget}, {renderCheck}, {palette}] = await Promise.all([
    import(dist('core/check.js')),
    import(dist('transport/local.js')),
    import(dist('report/text.js')),
    import(dist('report/colors.js')),
  ])
  const t0 = performance.now()
  const result = await check(new LocalTarget(), {baselineFile: path.join(dir, 'baseline.yaml'), root: path.join(dir, 'root')})
  const text = renderCheck(result, palette(0))
  const ms = performance.now() - t0
  return {
    ms,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    findings: result.findings.length,
    items: result.counts.items,
    bytes: statSync(path.join(dir, 'baseline.yaml')).size,
    reportChars: text.length,
  }
}

async function main() {
  const [mode, dir, items] = process.argv.slice(2)
  if (!existsSync(path.join(here, '..', 'dist', 'core', 'check.js'))) throw new Error('dist/ not built (run npm run build)')
  if (!dir) throw new Error('usage: whole-check.js prepare DIR ITEMS | run DIR')
  const out = mode === 'prepare' ? await prepare(dir, Number(items ?? 10_000)) : await run(dir)
  console.log(JSON.stringify(out))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.log(JSON.stringify({error: String(e?.stack ?? e)}))
    process.exit(2)
  })
}
