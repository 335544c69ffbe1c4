// Key exchange: forward secrecy of what a sender following the list negotiates, a server order
// that puts non-forward-secret suites first, finite-field DH sizes, and groups outside the
// policy's list.

import { isInconclusive, type ProbeOutcome, type TlsVersion } from '../../model.js';
import { groupName } from '../../wire/groups.js';
import { type CipherSuite, suiteByCode, suiteName } from '../../wire/suites.js';
import { dhFix, groupsFix, preferenceFix, suitesFix } from '../remediation.js';
import { listText, outcomeText, versionLabel, versionRank } from '../text.js';
import {
  type AddressContext,
  acceptedSuites,
  enumerationOf,
  isForwardSecret,
  type RawFinding,
  versionsFrom,
} from './context.js';

const KEX_NAMES: Record<string, string> = {
  RSA: 'RSA',
  DH: 'static DH',
  ECDH: 'static ECDH',
  PSK: 'PSK',
  RSA_PSK: 'RSA-PSK',
  SRP: 'SRP',
  KRB5: 'Kerberos',
  NULL: 'no',
};

function kexText(suite: CipherSuite): string {
  return KEX_NAMES[suite.kex] ?? suite.kex;
}

/**
 * What a sender offering the listed suites in order would get, judged from the TLS 1.2
 * enumeration: the server's first choice among them, or the sender's when the server follows
 * the client. Used only when the sender probe itself was inconclusive.
 */
function predictSenderSuite(context: AddressContext): number | undefined {
  const enumeration = enumerationOf(context.address, 'TLSv1.2');
  if (!enumeration) {
    return undefined;
  }
  const listed = context.policy.listedSuites;
  const accepted = enumeration.accepted.map((entry) => entry.code);
  if (enumeration.preference === 'server') {
    return accepted.find((code) => listed.includes(code));
  }
  if (enumeration.preference === 'client') {
    return listed.find((code) => accepted.includes(code));
  }
  return undefined;
}

/**
 * Two senders follow the list: one limited to TLS 1.2 (the hello offering exactly the listed
 * suites) and one that also offers TLS 1.3 (the sender probe). Either ending without forward
 * secrecy is a finding; the TLS 1.2 one is judged from the server's order when its probe got no
 * answer.
 */
export function checkSenderForwardSecrecy(context: AddressContext): RawFinding[] {
  const { address, policy } = context;

  // A hello answered in a version below the policy's minimum gives a sender no connection: it
  // aborts the handshake, so the suite of that answer is never used.
  const connects = (outcome: ProbeOutcome) =>
    outcome.kind === 'accepted' && versionRank(outcome.version) >= versionRank(policy.minVersion);

  let tls12: number | undefined;
  let predicted = false;
  const listedOutcome = address.listedSuites;
  if (listedOutcome.kind === 'accepted') {
    tls12 = connects(listedOutcome) ? listedOutcome.suite : undefined;
  } else if (isInconclusive(listedOutcome)) {
    tls12 = predictSenderSuite(context);
    predicted = tls12 !== undefined;
  }
  const senderOutcome = address.sender.outcome;
  const modern =
    senderOutcome.kind === 'accepted' && connects(senderOutcome) ? senderOutcome.suite : undefined;

  if (tls12 === undefined && modern === undefined) {
    if (isInconclusive(listedOutcome) && isInconclusive(senderOutcome)) {
      context.inconclusive.push(
        `which suite a sender offering the listed suites negotiates (its hello was ` +
          `${outcomeText(senderOutcome)})`,
      );
    }
    return [];
  }

  const modernSuite = modern === undefined ? undefined : suiteByCode(modern);
  const tls12Suite = tls12 === undefined ? undefined : suiteByCode(tls12);
  let who: string;
  let suite: CipherSuite;
  if (modernSuite && !isForwardSecret(modernSuite)) {
    who = 'a sender offering the listed suites in their order';
    suite = modernSuite;
  } else if (tls12Suite && !isForwardSecret(tls12Suite)) {
    who = 'a sender limited to TLS 1.2 offering the listed suites in their order';
    suite = tls12Suite;
  } else {
    return [];
  }

  const tls12AndBelow: TlsVersion[] = versionsFrom(policy.minVersion).filter(
    (version) => version !== 'TLSv1.3',
  );
  const forwardSecret = acceptedSuites(address).filter(
    (entry) => tls12AndBelow.includes(entry.version) && isForwardSecret(entry.suite),
  );
  const names = (entries: typeof forwardSecret) =>
    listText([...new Set(entries.map((entry) => suiteName(entry.code)))]);
  // Only a listed forward-secret suite can win by ordering: senders never offer the others
  // (DHE suites, for the webhook list), so for those the fix is to enable listed ECDHE suites.
  const listedForwardSecret = forwardSecret.filter((entry) =>
    policy.listedSuites.includes(entry.code),
  );
  let alternatives: string;
  let advice: string;
  if (listedForwardSecret.length > 0) {
    alternatives =
      `the server accepts listed forward-secret suites too (${names(listedForwardSecret)}) ` +
      'but picks this one';
    advice =
      'Let the listed ECDHE suites win: rank them first, or let the client choose (senders ' +
      'list ECDHE suites first).';
  } else if (forwardSecret.length > 0) {
    alternatives =
      `the server's forward-secret suites (${names(forwardSecret)}) are not on the list, so ` +
      'senders never offer them';
    advice =
      'Enable the listed ECDHE suites below: senders offer no other forward-secret suites, ' +
      'so reordering the ones enabled now does not help.';
  } else {
    alternatives = 'the server accepts no suite with ECDHE or DHE key exchange';
    advice = 'Enable the listed ECDHE suites below; senders list them first.';
  }
  const tls13 =
    modernSuite && isForwardSecret(modernSuite)
      ? '; senders offering TLS 1.3 do get forward secrecy'
      : '';

  return [
    {
      id: 'kex.sender-not-forward-secret',
      observed:
        `${predicted && suite === tls12Suite ? "judging by the server's suite order, " : ''}` +
        `${who} negotiates ${suite.name} (${kexText(suite)} key exchange, no forward ` +
        `secrecy); ${alternatives}${tls13}`,
      expected:
        'an ECDHE or DHE suite, so that recorded webhooks cannot be decrypted with the ' +
        'private key later',
      remediation: suitesFix(policy, advice),
    },
  ];
}

/**
 * The server's own order costs forward secrecy, in one of two ways a client meets it:
 * its top choice (what a client offering everything gets) is not forward secret although it
 * accepts forward-secret suites, or, among the listed suites a sender offers, it picks one
 * that is not forward secret although a listed forward-secret suite is accepted. An order that
 * merely ranks TLS_RSA_* above TLS_DHE_* behind ECDHE costs nobody anything and is not raised;
 * a sender left without forward secrecy because no listed forward-secret suite is enabled is
 * kex.sender-not-forward-secret's finding, whose fix is to enable ECDHE suites.
 */
export function checkServerPreference(context: AddressContext): RawFinding[] {
  const { address, policy } = context;
  const listed = new Set(policy.listedSuites);
  const inversions: string[] = [];
  let listedForwardSecretSeen = false;

  for (const version of versionsFrom(policy.minVersion)) {
    const enumeration = enumerationOf(address, version);
    if (version === 'TLSv1.3' || enumeration?.preference !== 'server') {
      continue;
    }
    const order = enumeration.accepted.map((entry) => entry.code);
    listedForwardSecretSeen ||= order.some(
      (code) => listed.has(code) && isForwardSecret(suiteByCode(code)),
    );
    const firstForwardSecret = order.find((code) => isForwardSecret(suiteByCode(code)));
    const top = order[0];
    const label = versionLabel(version);
    if (top !== undefined && !isForwardSecret(suiteByCode(top)) && firstForwardSecret) {
      inversions.push(
        `with ${label} the server's first choice is ${suiteName(top)} (no forward secrecy), ` +
          `ranked above ${suiteName(firstForwardSecret)}`,
      );
      continue;
    }

    const offered = order.filter((code) => listed.has(code));
    const pick = offered[0];
    const listedForwardSecret = offered.find((code) => isForwardSecret(suiteByCode(code)));
    if (pick !== undefined && !isForwardSecret(suiteByCode(pick)) && listedForwardSecret) {
      inversions.push(
        `with ${label} a sender offering the listed suites gets ${suiteName(pick)} (no ` +
          `forward secrecy): the server ranks it above the listed ` +
          `${suiteName(listedForwardSecret)}`,
      );
    }
  }

  if (inversions.length === 0) {
    return [];
  }
  return [
    {
      id: 'kex.server-prefers-non-forward-secret',
      observed: inversions.join('; '),
      expected: "forward-secret suites ranked first, or the client's order honoured",
      // Reordering helps senders only when a listed forward-secret suite is enabled at all.
      remediation: listedForwardSecretSeen
        ? preferenceFix(policy)
        : suitesFix(
            policy,
            'Enable the listed ECDHE suites below and rank them first: the forward-secret ' +
              'suites enabled now are not on the list, so senders never offer them.',
          ),
    },
  ];
}

export function checkDhSize(context: AddressContext): RawFinding[] {
  const { address, policy } = context;
  const seen = [
    ...acceptedSuites(address).map((entry) => entry.dhBits),
    ...address.groups.flatMap((support) => support.dhBits),
  ];
  const sizes = [...new Set(seen)]
    .filter((bits): bits is number => bits !== undefined && bits > 0 && bits < policy.minDhBits)
    .sort((a, b) => a - b);
  if (sizes.length === 0) {
    return [];
  }

  return [
    {
      id: 'kex.weak-dh',
      observed: `DHE suites use ${listText(sizes.map((bits) => `${bits}-bit`))} groups`,
      expected: `groups of at least ${policy.minDhBits} bits`,
      remediation: dhFix(policy),
    },
  ];
}

export function checkGroups(context: AddressContext): RawFinding[] {
  const { address, policy } = context;
  if (!policy.allowedGroups) {
    return [];
  }

  const allowed = new Set(policy.allowedGroups);
  const allowedVersions = versionsFrom(policy.minVersion);
  const outside = new Set<number>();
  // A server's own TLS 1.3 list says what it supports; no hello of ours tried each group.
  let listed = false;
  for (const support of address.groups) {
    if (allowedVersions.includes(support.version)) {
      for (const group of support.groups) {
        if (allowed.has(group)) continue;
        outside.add(group);
        listed ||= support.fromServerList === true;
      }
    }
  }
  for (const entry of acceptedSuites(address)) {
    if (
      entry.group !== undefined &&
      allowedVersions.includes(entry.version) &&
      !allowed.has(entry.group)
    ) {
      outside.add(entry.group);
    }
  }
  if (outside.size === 0) {
    return [];
  }

  const sorted = [...outside].sort((a, b) => a - b);
  return [
    {
      id: 'kex.group-not-allowed',
      observed:
        `groups ${listed ? 'accepted or listed by the server' : 'accepted'} outside the list: ` +
        listText(sorted.map(groupName)),
      expected: `only ${listText(policy.allowedGroups.map(groupName))}`,
      remediation: groupsFix(policy),
    },
  ];
}
