// Protocol versions: the policy's minimum or a newer version must be accepted, and every older
// one refused (for the webhook requirements: TLS 1.2 or 1.3 accepted, TLS 1.0 and 1.1 and SSL
// refused). A version whose probe got no answer is neither: it is reported as inconclusive.

import type { TlsVersion } from '../../model.js';
import { versionFix } from '../remediation.js';
import { listText, outcomeText, suiteList, versionLabel } from '../text.js';
import {
  type AddressContext,
  enumerationOf,
  type RawFinding,
  versionOutcome,
  versionState,
  versionsBelow,
  versionsFrom,
} from './context.js';

/** How the probe of one version ended: "TLS 1.2 not accepted (... answered with TLS 1.0)". */
export function versionProbeText(context: AddressContext, version: TlsVersion): string {
  const outcome = versionOutcome(context.address, version);
  if (!outcome) {
    return `${versionLabel(version)} not probed`;
  }

  // A hello offering this version that the server answered with an older one is not an
  // acceptance of this version: the server negotiated down (RFC 5246, Appendix E.1).
  if (outcome.kind === 'accepted' && outcome.version !== version) {
    return (
      `${versionLabel(version)} not accepted (a hello offering it was answered with ` +
      `${versionLabel(outcome.version)})`
    );
  }
  return `${versionLabel(version)} ${outcomeText(outcome)}`;
}

/** What a legacy version was accepted with, for the evidence. */
function acceptedWith(context: AddressContext, version: TlsVersion): string {
  const suites = enumerationOf(context.address, version)?.accepted.map((entry) => entry.code);
  if (suites && suites.length > 0) {
    return `${versionLabel(version)} (${suiteList(suites)})`;
  }
  return versionLabel(version);
}

export function checkVersions(context: AddressContext): RawFinding[] {
  const { address, policy } = context;
  const findings: RawFinding[] = [];
  const required = versionsFrom(policy.minVersion);
  const legacy = versionsBelow(policy.minVersion);

  // At least one version from the minimum up. Refusals, violations and non-TLS replies all
  // mean a sender gets no connection; only silence and errors leave the question open.
  const requiredStates = required.map((version) => versionState(address, version));
  if (!requiredStates.includes('accepted')) {
    const unclear = required.filter((_, index) =>
      ['inconclusive', 'unknown'].includes(requiredStates[index]),
    );
    if (unclear.length === 0) {
      findings.push({
        id: 'version.none-supported',
        observed: `${required.map((version) => versionProbeText(context, version)).join('; ')}`,
        expected: `${listText(required.map(versionLabel), 'or')} accepted`,
        remediation: versionFix(policy),
      });
    } else {
      context.inconclusive.push(
        `whether ${listText(unclear.map(versionLabel), 'or')} is accepted ` +
          `(${unclear.map((version) => versionProbeText(context, version)).join('; ')})`,
      );
    }
  }

  // Every version below the minimum refused. A version nobody probed (SSL 3.0 on some scans)
  // is left alone; one whose probe went unanswered is inconclusive, never "refused".
  const accepted = legacy.filter((version) => versionState(address, version) === 'accepted');
  if (accepted.length > 0) {
    findings.push({
      id: 'version.legacy-accepted',
      observed: `${listText(accepted.map((version) => acceptedWith(context, version)))} accepted`,
      expected: `${listText(legacy.map(versionLabel))} refused`,
      remediation: versionFix(policy),
    });
  }

  const unanswered = legacy.filter((version) => versionState(address, version) === 'inconclusive');
  if (unanswered.length > 0) {
    context.inconclusive.push(
      `whether ${listText(unanswered.map(versionLabel))} ${unanswered.length > 1 ? 'are' : 'is'} ` +
        `refused (${unanswered.map((version) => versionProbeText(context, version)).join('; ')})`,
    );
  }

  return findings;
}
