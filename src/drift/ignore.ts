// Ignore rules over findings, after the diff: driftctl's .driftignore, with what its users asked for — a reason
// and an expiry per rule. Pure: findings, rules and today's date in; what is kept, what is ignored (never
// dropped: it is counted and can be shown) and which rules have expired, out.
//
// A rule is a glob (picomatch) over `collector:key` (`systemd:/etc/systemd/system/*.timer`); `*` stops at `/`,
// `**` crosses it. A rule may also name the members of a set-valued change (`kernel-cmdline:quiet`,
// `kernel-cmdline:video=*`): a finding whose every change is such members, all ignored, is ignored. As in
// .gitignore, `!` re-includes and the last rule that matches decides.
import picomatch from 'picomatch'
import type {Finding} from '../model.js'

export interface IgnoreRule {
  /** the glob, without the leading `!` */
  pattern: string
  /** `!pattern`: re-include what an earlier rule ignored */
  negate: boolean
  reason?: string
  /** YYYY-MM-DD: from this day on the rule no longer ignores */
  expires?: string
  /** where it was written (`vmdrift.yaml:12`), for messages */
  source?: string
}

/** The rule that ignored a finding, as reports show it. */
export interface IgnoredBy {
  pattern: string
  reason?: string
  expires?: string
  source?: string
}

export type IgnoredFinding = Finding & {ignoredBy: IgnoredBy}

export interface IgnoreOutcome {
  kept: Finding[]
  ignored: IgnoredFinding[]
  /** one line per expired rule: it ignores nothing any more, and says so */
  expired: string[]
}

interface CompiledRule {
  rule: IgnoreRule
  matches: (subject: string) => boolean
}

/** The subject a key rule is matched against. */
export function findingSubject(finding: Pick<Finding, 'collector' | 'key'>): string {
  return `${finding.collector}:${finding.key}`
}

/** The last rule that matches decides; undefined when none does. */
function decide(rules: CompiledRule[], subject: string): CompiledRule | undefined {
  let decision: CompiledRule | undefined
  for (const rule of rules) if (rule.matches(subject)) decision = rule
  return decision
}

/** A finding made only of members added to or removed from sets, ignored if every member is. */
function decideByMembers(rules: CompiledRule[], finding: Finding): CompiledRule | undefined {
  const members: string[] = []
  for (const change of finding.changes) {
    if (change.from !== undefined || change.to !== undefined) return undefined
    members.push(...(change.added ?? []), ...(change.removed ?? []))
  }
  if (!members.length) return undefined
  const decisions = members.map((member) => decide(rules, `${finding.collector}:${member}`))
  if (decisions.every((d) => d && !d.rule.negate)) return decisions[0]
  return undefined
}

function ignoredBy(rule: IgnoreRule): IgnoredBy {
  return {
    pattern: rule.pattern,
    ...(rule.reason !== undefined ? {reason: rule.reason} : {}),
    ...(rule.expires !== undefined ? {expires: rule.expires} : {}),
    ...(rule.source !== undefined ? {source: rule.source} : {}),
  }
}

/** `today` is YYYY-MM-DD (UTC); a rule expires at the start of its `expires` day. */
export function applyIgnoreRules(findings: Finding[], rules: IgnoreRule[], today: string): IgnoreOutcome {
  const live: CompiledRule[] = []
  const expiredRules: CompiledRule[] = []
  for (const rule of rules) {
    const compiled = {rule, matches: picomatch(rule.pattern, {dot: true})}
    if (rule.expires !== undefined && rule.expires <= today) expiredRules.push(compiled)
    else live.push(compiled)
  }
  const kept: Finding[] = []
  const ignored: IgnoredFinding[] = []
  for (const finding of findings) {
    const byKey = decide(live, findingSubject(finding))
    const decision = byKey ?? decideByMembers(live, finding)
    if (decision && !decision.rule.negate) ignored.push({...finding, ignoredBy: ignoredBy(decision.rule)})
    else kept.push(finding)
  }
  const expired = expiredRules.map(({rule, matches}) => {
    const reported = kept.filter((finding) => matches(findingSubject(finding))).length
    const where = rule.source ? ` (${rule.source})` : ''
    return `ignore rule '${rule.negate ? '!' : ''}${rule.pattern}'${where} expired on ${rule.expires}: it no longer ignores anything${reported ? ` (${reported} finding${reported === 1 ? '' : 's'} it matches reported)` : ''}`
  })
  return {kept, ignored, expired}
}
