// The report layer: one Report built from the policy's results, and its renderings (JSON,
// job summary and PR comment in markdown, terminal text, SARIF, JUnit), the comparison with a
// baseline, and the sharding and merging of large runs.

export {
  type BuildReportInput,
  buildReport,
  type ReportPolicy,
  TOOL,
} from './build.js';
export {
  baselineMismatch,
  changePhrases,
  diffReports,
  type EndpointChange,
  groupChanges,
  isEmptyDiff,
  type LeafSummary,
  type ReportDiff,
} from './diff.js';
export { type EndpointFacts, factsOf, headline, verdictCounts } from './facts.js';
export {
  parseReport,
  ReportError,
  readReport,
  renderJson,
  reportSchema,
  reportSchemaErrors,
  writeFileAtomic,
} from './json.js';
export { renderJunit } from './junit.js';
export {
  COMMENT_LIMIT_CHARS,
  type CommentOptions,
  type MarkdownOptions,
  renderComment,
  renderMarkdown,
  SUMMARY_LIMIT_BYTES,
} from './markdown.js';
export { MergeError, mergeReports } from './merge.js';
export {
  type PolicyDifference,
  policyDifference,
  policyNameKey,
  sameName,
  samePolicy,
} from './policy-match.js';
export {
  DEFAULT_SARIF_LOCATION,
  FINGERPRINT_KEY,
  renderSarif,
  type SarifLog,
  type SarifOptions,
} from './sarif.js';
export { comparableBaseline, endpointListDigest, selectShard, shardOf } from './shard.js';
export { renderText, type TextOptions } from './text.js';
export { notScannedReason, VERDICT_WORDS, verdictText } from './words.js';
