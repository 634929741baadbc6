// The scripts behind `restore --list` and `restore --undo`: one reads every backup's manifest and state, the other
// puts back what one restore (and the cut-short restore it finished, if any) replaced. Both share the quoting and
// framing of the read script, and the backup layout that apply-script.ts writes.
import {shQuote} from '../core/script.js'
import {BACKUPS_DIR, runCommand, type Manifest} from './apply-script.js'

interface ScriptBase {
  boundary: string
  root?: string
}

function header(what: string, options: ScriptBase): string[] {
  if (!/^[\w-]+$/.test(options.boundary)) throw new Error('boundary must be a plain word')
  return [
    `# vmdrift restore: ${what}`,
    'LC_ALL=C; export LC_ALL',
    `B=${options.boundary}`,
    `R=${shQuote((options.root ?? '').replace(/\/+$/, ''))}`,
    `if [ -n "$R" ] && [ ! -d "$R" ]; then printf '%s\\n' "--root $R is not a directory on the host" >&2; exit 3; fi`,
    `BASE="$R"${shQuote(BACKUPS_DIR)}`,
    `t() { printf '\\n%s %s\\n' "$B" "$1"; }`,
    'exists() { [ -e "$1" ] || [ -L "$1" ]; }',
    'have() { command -v "$1" >/dev/null 2>&1; }',
  ]
}

/**
 * Frames, per backup directory in name (= time) order: `BACKUP <id>` with the state files present
 * (backed-up, applied, undone) and what it resumes, then `MANIFEST` with the manifest.
 */
export function compileListScript(options: ScriptBase): string {
  return [
    ...header('lists the backups, writes nothing', options),
    'for b in "$BASE"/*; do',
    '  [ -f "$b/manifest.json" ] || continue',
    '  t "BACKUP ${b##*/}"; for s in backed-up applied undone; do if [ -f "$b/$s" ]; then printf \'%s \' "$s"; fi; done',
    '  if [ -f "$b/resumes" ]; then printf \'resumes=\'; cat -- "$b/resumes"; fi',
    '  t MANIFEST; cat -- "$b/manifest.json"',
    'done',
    't END',
    '',
  ].join('\n')
}

/**
 * Puts back, for each backup in order, every path it backed up: its copy renamed into place (a temporary copy
 * first, so a cut leaves the path either as it was or as it is restored), or, where nothing was there, whatever
 * the restore created moved into the backup (`N.created`); then removes the directories it created, when empty.
 * A backup that never finished backing up applied nothing, and is skipped. Run twice, it does the same again.
 * Then the commands those restores ran, again. Frames: `DONE <id> <n>` per path, `FAIL <id> <n>` (body: why),
 * `UNDONE <id>`, `RAN` / `FAILED-COMMAND` per command (body: the command), `END`.
 */
export function compileUndoScript(backups: Manifest[], options: ScriptBase): string {
  const blocks = backups.map((manifest) => {
    if (!/^[\w-]+$/.test(manifest.id)) throw new Error('a backup id must be a plain word')
    const bk = `"$BASE"/${manifest.id}`
    const lines = [`BK=${bk}`, 'if [ -f "$BK/backed-up" ]; then']
    const dirs = manifest.entries.filter((entry) => entry.kind === 'dir').sort((a, b) => (a.path < b.path ? 1 : -1))
    for (const entry of manifest.entries.filter((e) => e.kind === 'file')) {
      const fail = (what: string) => `{ t "FAIL ${manifest.id} ${entry.n}"; printf '%s' ${shQuote(`${entry.path}: ${what}`)}; t END; exit 1; }`
      const dir = entry.path.slice(0, entry.path.lastIndexOf('/')) || '/'
      lines.push(
        `  p="$R"${shQuote(entry.path)}; d="$R"${shQuote(dir)}; s="$BK/${entry.n}"`,
        `  if exists "$s"; then`,
        `    mkdir -p -- "$d" || ${fail('cannot create its directory')}`,
        `    tmp="$d/.vmdrift-tmp.undo.${entry.n}"; rm -f -- "$tmp"`,
        `    cp -a -- "$s" "$tmp" && mv -fT -- "$tmp" "$p" || { rm -f -- "$tmp"; ${fail('cannot put the backup copy back')}; }`,
        `  elif [ -f "$s.absent" ] && exists "$p"; then`,
        `    mv -f -- "$p" "$BK/${entry.n}.created" || ${fail('cannot move what the restore created into the backup')}`,
        `  fi`,
        `  t "DONE ${manifest.id} ${entry.n}"`,
      )
    }
    // Leftovers of a restore cut between writing a temporary file and renaming it.
    const written = [...new Set(manifest.entries.filter((e) => e.kind === 'file').map((e) => e.path.slice(0, e.path.lastIndexOf('/')) || '/'))]
    if (written.length) lines.push(`  for d in ${written.map((dir) => `"$R"${shQuote(dir)}`).join(' ')}; do rm -f -- "$d"/.vmdrift-tmp.*; done`)
    for (const entry of dirs) lines.push(`  if [ -f "$BK/${entry.n}.absent" ]; then rmdir -- "$R"${shQuote(entry.path)} 2>/dev/null; fi`)
    // Cut short while backing up, a restore changed nothing: undoing it is marking it so.
    lines.push('fi', `: > "$BK/undone"; t "UNDONE ${manifest.id}"`)
    return lines.join('\n')
  })
  // Then what the restores ran, once each (daemon-reload, update-grub, restarts): systemd loads the files put back.
  const commands = [...new Map(backups.flatMap((m) => m.commands ?? []).map((run) => [JSON.stringify(run), run])).values()]
  const run = commands.map((alternatives) => runCommand(alternatives, `t RAN; printf '%s' ${shQuote(alternatives[0]!.join(' '))}`, `t "FAILED-COMMAND"; printf '%s: exit %s: %s' ${shQuote(alternatives[0]!.join(' '))} "$rc" "$out"`))
  return [...header('puts back what a restore replaced', options), ...blocks, ...run, 't END', ''].join('\n')
}
