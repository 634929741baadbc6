// Where baselines live by default. A leaf of its own: planning hosts needs the path before anything connects, and
// must not load the YAML that reading and writing a baseline (store.ts) needs.
import {join} from 'node:path'

/** <dir>/<target>.yaml (dir: baselines, or the config's), the target made safe as a file name. */
export function defaultBaselinePath(target: string, dir = 'baselines'): string {
  return join(dir, `${target.replace(/[^\w.@-]+/g, '_')}.yaml`)
}
