// The policy layer: presets and policy files, the rules that turn an endpoint's scan into
// findings, suppressions, and the verdicts that decide a run's exit.

export { policyDigest } from './digest.js';
export { evaluate, failsPolicy, verdictAt } from './evaluate.js';
export {
  type LoadPolicyOptions,
  loadPolicy,
  PolicyError,
  type PolicyProblem,
  parsePolicy,
} from './load.js';
export {
  type CertificateConstraints,
  type FailOn,
  type Policy,
  PRESET_NAMES,
  type PresetName,
  type Suppression,
} from './policy.js';
export { isPresetName, presetPolicy } from './presets/index.js';
export { MOZILLA_CONFIGURATIONS, MOZILLA_GUIDELINES_VERSION } from './presets/mozilla.js';
export { WEBHOOK_LISTED_SUITES } from './presets/webhook.js';
export {
  isRuleId,
  RULE_IDS,
  RULES,
  type RuleId,
  type RuleInfo,
  type RuleSetting,
  ruleById,
} from './rules.js';
export { POLICY_SCHEMA } from './schema.js';
export { endpointPatternMatches, unusedSuppressions } from './suppress.js';
