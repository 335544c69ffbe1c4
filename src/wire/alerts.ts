// The IANA TLS Alert registry as data (tls-parameters-6): alert descriptions by number.

export const AlertLevel = { warning: 1, fatal: 2 } as const;

// biome-ignore format: one alert per line reads as a table
const ROWS: [code: number, name: string][] = [
  [0, 'close_notify'],
  [10, 'unexpected_message'],
  [20, 'bad_record_mac'],
  [21, 'decryption_failed'],
  [22, 'record_overflow'],
  [30, 'decompression_failure'],
  [40, 'handshake_failure'],
  [41, 'no_certificate'],
  [42, 'bad_certificate'],
  [43, 'unsupported_certificate'],
  [44, 'certificate_revoked'],
  [45, 'certificate_expired'],
  [46, 'certificate_unknown'],
  [47, 'illegal_parameter'],
  [48, 'unknown_ca'],
  [49, 'access_denied'],
  [50, 'decode_error'],
  [51, 'decrypt_error'],
  [52, 'too_many_cids_requested'],
  [60, 'export_restriction'],
  [70, 'protocol_version'],
  [71, 'insufficient_security'],
  [80, 'internal_error'],
  [86, 'inappropriate_fallback'],
  [90, 'user_canceled'],
  [100, 'no_renegotiation'],
  [109, 'missing_extension'],
  [110, 'unsupported_extension'],
  [111, 'certificate_unobtainable'],
  [112, 'unrecognized_name'],
  [113, 'bad_certificate_status_response'],
  [114, 'bad_certificate_hash_value'],
  [115, 'unknown_psk_identity'],
  [116, 'certificate_required'],
  [117, 'general_error'],
  [120, 'no_application_protocol'],
  [121, 'ech_required'],
];

export const ALERTS: readonly { code: number; name: string }[] = Object.freeze(
  ROWS.map(([code, name]) => ({ code, name })),
);

/** Alert descriptions the probe refers to in code. */
export const Alert = {
  closeNotify: 0,
  unexpectedMessage: 10,
  handshakeFailure: 40,
  illegalParameter: 47,
  decodeError: 50,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  inappropriateFallback: 86,
  unrecognizedName: 112,
} as const;

const byCode = new Map(ALERTS.map((alert) => [alert.code, alert.name]));

/** The IANA name of an alert description, or `alert_<n>` when unassigned. */
export function alertName(code: number): string {
  return byCode.get(code) ?? `alert_${code}`;
}
