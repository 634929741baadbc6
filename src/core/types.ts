// The model lives in src/model.ts (a leaf every layer may import); these names stay importable from core.
export type {Baseline, CollectedItems, DriftClass, Finding, Snapshot} from '../model.js'
