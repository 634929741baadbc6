#!/usr/bin/env node
import {execute} from '../dist/bundle/main.js'

await execute({dir: import.meta.url})
