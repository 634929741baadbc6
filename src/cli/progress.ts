// Per-host lines as hosts finish. On a terminal, a live footer (log-update) also shows the hosts in flight and how
// far the run is; piped or redirected, plain lines only, so logs and CI output stay clean.
import type {ChalkInstance} from 'chalk'

export interface HostLines {
  started(host: string): void
  finished(host: string, line: string): void
  /** the footer goes; the lines stay */
  close(): void
}

export async function hostLines(stream: NodeJS.WriteStream, total: number, c: ChalkInstance): Promise<HostLines> {
  // A pseudo-terminal that reports no width (some CI runners) would have log-update wrap every line to nothing.
  if (!stream.isTTY || !stream.columns) {
    return {started() {}, finished: (_host, line) => void stream.write(`${line}\n`), close() {}}
  }
  const {createLogUpdate} = await import('log-update')
  const live = createLogUpdate(stream)
  const running = new Map<string, number>()
  let done = 0
  const render = () => {
    const now = Date.now()
    const names = [...running].map(([name, since]) => `${name} ${c.dim(`${((now - since) / 1000).toFixed(0)}s`)}`)
    const shown = names.slice(0, 6).join(', ') + (names.length > 6 ? `, +${names.length - 6} more` : '')
    live(c.dim(`${done}/${total} done`) + (running.size ? `  ${c.cyan('reading')} ${shown}` : ''))
  }
  const ticker = setInterval(render, 200)
  render()
  return {
    started(host) {
      running.set(host, Date.now())
      render()
    },
    finished(host, line) {
      done++
      running.delete(host)
      live.persist(line)
      render()
    },
    close() {
      clearInterval(ticker)
      live.clear()
      live.done()
    },
  }
}
