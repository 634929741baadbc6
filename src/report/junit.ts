// JUnit XML for CI (the schema Jenkins, GitLab and GitHub test reporters read): a test suite per host, a test case
// per item that drifted (its failure carries the summary and the unified diff), per ignored finding (skipped,
// with the rule), per collector that could not read the host (error), and one passing case for a host in sync.
// Pure: outcomes in, XML text out; xmlbuilder2 does the escaping.
import {create} from 'xmlbuilder2'
import type {CheckResult} from '../core/check.js'
import type {HostOutcome} from '../core/fleet.js'
import {describeChange} from '../drift/diff.js'
import {plural} from './text.js'

interface Case {
  name: string
  failure?: {type: string; message: string; body: string}
  error?: {type: string; message: string}
  skipped?: string
}

function casesOf(outcome: HostOutcome<CheckResult>): Case[] {
  if (outcome.error || !outcome.result) {
    return [{name: 'read the host', error: {type: outcome.error?.kind ?? 'InternalError', message: outcome.error?.message ?? 'no result'}}]
  }
  const result = outcome.result
  const cases: Case[] = result.findings.map((finding) => ({
    name: `${finding.collector}:${finding.key}`,
    failure: {
      type: finding.class,
      message: `${finding.class}: ${finding.summary}`,
      body: [...finding.changes.map(describeChange), ...(finding.diff ? ['', finding.diff.trimEnd()] : [])].join('\n'),
    },
  }))
  for (const [collector, why] of Object.entries(result.unavailable)) cases.push({name: `${collector}: not checked`, error: {type: 'unavailable', message: why}})
  for (const finding of result.ignored) {
    const {pattern, reason} = finding.ignoredBy
    cases.push({name: `${finding.collector}:${finding.key}`, skipped: `ignored by ${pattern}${reason ? `: ${reason}` : ''} (${finding.summary})`})
  }
  if (!result.findings.length && !Object.keys(result.unavailable).length) {
    cases.unshift({name: `in sync with ${result.baseline} (${plural(result.counts.items, 'item')})`})
  }
  return cases
}

export function renderJunit(outcomes: HostOutcome<CheckResult>[], options: {name: string; durationMs: number}): string {
  const suites = outcomes.map((outcome) => ({outcome, cases: casesOf(outcome)}))
  const total = (pick: (c: Case) => unknown) => suites.reduce((sum, suite) => sum + suite.cases.filter(pick).length, 0)
  const root = create({version: '1.0', encoding: 'UTF-8'}).ele('testsuites', {
    name: options.name,
    tests: total(() => true),
    failures: total((c) => c.failure),
    errors: total((c) => c.error),
    skipped: total((c) => c.skipped),
    time: (options.durationMs / 1000).toFixed(3),
  })
  for (const {outcome, cases} of suites) {
    const suite = root.ele('testsuite', {
      name: outcome.host,
      tests: cases.length,
      failures: cases.filter((c) => c.failure).length,
      errors: cases.filter((c) => c.error).length,
      skipped: cases.filter((c) => c.skipped).length,
      time: (outcome.durationMs / 1000).toFixed(3),
      timestamp: outcome.startedAt.replace(/\.\d+Z$/, ''),
      hostname: outcome.target,
    })
    for (const testCase of cases) {
      const element = suite.ele('testcase', {classname: `vmdrift.${outcome.host}`, name: testCase.name, time: '0'})
      if (testCase.failure) element.ele('failure', {type: testCase.failure.type, message: testCase.failure.message}).txt(testCase.failure.body)
      if (testCase.error) element.ele('error', {type: testCase.error.type, message: testCase.error.message})
      if (testCase.skipped) element.ele('skipped', {message: testCase.skipped})
    }
  }
  return `${root.end({prettyPrint: true})}\n`
}
