// A list of paths kept in the script's own shell, as its positional parameters ("$@"), for the scripts that
// script.ts and script-referenced.ts compile. A list walked once this way is printed and handed to a command
// without a second walk, and a short one reaches its command with no process between: on a host where each fork
// and exec costs milliseconds, `{ list } | xargs cmd` (a subshell, xargs and the command) cost more than the
// command itself.
//
// The shell state it uses: "$@" the list; `o` and `k` the paths not yet in it (newline-ended) and their count;
// `nb` the bytes the list takes on a command line; `nl` a newline (the script's prelude sets it).

/** Bytes of arguments past which a list goes through xargs: half of Linux's usual limit (2 MB, a quarter of the stack). */
export const ARGUMENT_BYTES = 1_000_000

/** Empties the list. */
export const START_LIST = 'set --; o=; k=0; nb=0'

/**
 * Moves the gathered paths into "$@", split at newlines only, globbing off. They are gathered 256 at a time
 * because `set -- "$@" "$f"` per path copies the whole list: quadratic (5,000 files once took 14 s).
 */
export const FLUSH_LIST = 'IFS=$nl; set -f; set -- "$@" $o; set +f; unset IFS; nb=$((nb + ${#o} + 8 * k)); o=; k=0'

/**
 * Appends the path in `$<variable>` to the list. A path with a newline in it (a hostile name) cannot be gathered
 * between newlines: it joins "$@" on its own, after the ones gathered before it, so the order holds.
 */
export function appendToList(variable: string): string {
  const v = `$${variable}`
  return `case ${v} in *"$nl"*) ${FLUSH_LIST}; set -- "$@" "${v}"; nb=$((nb + \${#${variable}} + 9)) ;; *) o="$o${v}$nl"; k=$((k + 1)); [ $k -lt 256 ] || { ${FLUSH_LIST}; } ;; esac`
}

/** Prints the list, each path NUL-ended (nothing for an empty list). */
export const PRINT_LIST = `[ $# -eq 0 ] || printf '%s\\0' "$@"`

/**
 * Runs `command -- <every path of the list>` once, and not at all for an empty list (cat would read stdin).
 * A list longer than the kernel takes on one command line goes through xargs, which splits it.
 */
export function runOnList(command: string, limit = ARGUMENT_BYTES): string {
  return `[ $# -eq 0 ] || if [ $nb -lt ${limit} ]; then ${command} -- "$@" 2>/dev/null; else printf '%s\\0' "$@" | xargs -0r -s ${ARGUMENT_BYTES} ${command} -- 2>/dev/null; fi`
}
