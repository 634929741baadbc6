// `vmdrift demo`: the incident, re-enacted on a throwaway copy of a dev VM's root, through the real code paths
// (`local` target with a root directory): capture, the edits of that morning, check.
import {cp, mkdir, mkdtemp, readFile, rm, utimes, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {packageRoot} from '../package-root.js'
import {LocalTarget} from '../transport/local.js'
import {capture, type CaptureResult} from './capture.js'
import {check, type CheckResult} from './check.js'

export const FIXTURE_ROOT = join(packageRoot(), 'test/fixtures/helix-vm')

interface Edit {
  /** HH:MM (UTC) of the day the demo runs: the incident's own timeline */
  at: string
  what: string
  path: string
  apply(file: string): Promise<void>
}

const DOCKER_DROPIN = `[Unit]
After=helix-drm-manager.service
Requires=helix-drm-manager.service
`

async function replaceIn(file: string, from: RegExp, to: string): Promise<void> {
  const text = await readFile(file, 'utf8')
  if (!from.test(text)) throw new Error(`demo fixture ${file} does not contain ${from}`)
  await writeFile(file, text.replace(from, to))
}

export const INCIDENT: Edit[] = [
  {
    at: '11:40',
    what: 'the desktop build rebuilds the DRM lease daemon into /usr/local/bin',
    path: '/usr/local/bin/helix-drm-manager',
    apply: (file) => replaceIn(file, /# build: .*/, '# build: 11:40 from a newer commit'),
  },
  {
    at: '12:01',
    what: "someone edits After= of helix-drm-manager.service (armed: nothing happens until the reboot)",
    path: '/etc/systemd/system/helix-drm-manager.service',
    apply: (file) => replaceIn(file, /^After=systemd-udev-settle\.service$/m, 'After=multi-user.target'),
  },
  {
    at: '12:20',
    what: 'a drop-in makes Docker depend on the daemon',
    path: '/etc/systemd/system/docker.service.d/helix-drm.conf',
    apply: async (file) => {
      await mkdir(join(file, '..'), {recursive: true})
      await writeFile(file, DOCKER_DROPIN)
    },
  },
  {
    at: '12:45',
    what: 'a video= kernel parameter is added to /etc/default/grub',
    path: '/etc/default/grub',
    apply: (file) => replaceIn(file, /^GRUB_CMDLINE_LINUX_DEFAULT="quiet"$/m, 'GRUB_CMDLINE_LINUX_DEFAULT="quiet video=Virtual-1:1920x1080"'),
  },
]

function todayAt(hhmm: string, now: Date): Date {
  const [h, m] = hhmm.split(':').map(Number)
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h, m))
}

export interface DemoRun {
  dir: string
  baselineFile: string
  root: string
  captured: CaptureResult
  edits: {at: string; what: string; path: string}[]
  result: CheckResult
}

export async function runDemo(options: {keep?: boolean; now?: Date} = {}): Promise<DemoRun> {
  const now = options.now ?? new Date()
  const dir = await mkdtemp(join(tmpdir(), 'vmdrift-demo-'))
  try {
    const root = join(dir, 'helix-vm')
    await cp(FIXTURE_ROOT, root, {recursive: true, verbatimSymlinks: true})
    await rm(join(root, 'README.md'), {force: true})
    const target = new LocalTarget('helix-vm')
    const baselineFile = join(dir, 'baselines', 'helix-vm.yaml')
    const captured = await capture(target, {baselineFile, watch: [], root})
    for (const edit of INCIDENT) {
      const file = join(root, edit.path)
      await edit.apply(file)
      const when = todayAt(edit.at, now)
      await utimes(file, when, when)
    }
    const result = await check(target, {baselineFile, root})
    return {dir, baselineFile, root, captured, edits: INCIDENT.map(({at, what, path}) => ({at, what, path})), result}
  } finally {
    if (!options.keep) await rm(dir, {recursive: true, force: true})
  }
}
