// The model lives in src/model.ts (a leaf every layer may import); these names stay importable from core.
export {BASELINE_FORMAT, type Baseline, type CollectedItems, type DriftClass, type Finding, type Snapshot} from '../model.js'
