#!/usr/bin/env node
import {loadBundle} from './load-bundle.js'

await loadBundle().execute({dir: import.meta.url})
