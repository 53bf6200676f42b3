/** The SPEC §1 example policy, used by the CLI and source tests. */
export const CDR_POLICY = `version: 1
name: ip-central
title: IP Central (test)
timezone: Europe/Amsterdam
datasets:
  cdr:
    key: id
    hold: legal_hold
rules:
  - id: usage-data
    dataset: cdr
    from: started_at
    delete_after: 6 months
    basis: contract
  - id: voip-ip-address
    dataset: cdr
    where: { service: voip }
    from: started_at
    redact_after: 3 months
    redact: [ip_address]
  - id: interception-minimum
    dataset: cdr
    from: started_at
    keep_for: 4 months
    basis: legal-obligation
`;

export const AS_OF = '2026-11-24T00:00:00+01:00';

/**
 * Rows with known fates at AS_OF: 6-month deletion, 3-month voip redaction held back by a
 * 4-month minimum, holds, an unreadable date, an empty start.
 */
export const CDR_ROWS = [
  { id: 1, started_at: '2026-01-01T10:00:00+01:00', service: 'voip', ip_address: '10.0.0.1', legal_hold: 0 }, // delete
  { id: 2, started_at: '2026-05-24T00:00:00+02:00', service: 'mobile', ip_address: '10.0.0.2', legal_hold: 0 }, // due == asOf: delete
  { id: 3, started_at: '2026-05-24T00:00:01+02:00', service: 'mobile', ip_address: '10.0.0.3', legal_hold: 0 }, // one second short: keep
  { id: 4, started_at: '2026-07-01 12:00:00', service: 'voip', ip_address: '10.0.0.4', legal_hold: 0 }, // 3m due, 4m keep done: redact
  { id: 5, started_at: '2026-08-01', service: 'voip', ip_address: '10.0.0.5', legal_hold: 0 }, // 3m due, 4m keep not: keep
  { id: 6, started_at: '2025-01-01', service: 'voip', ip_address: '10.0.0.6', legal_hold: 1 }, // held
  { id: 7, started_at: 'not a date', service: 'voip', ip_address: '10.0.0.7', legal_hold: 0 }, // invalid
  { id: 8, started_at: '', service: 'voip', ip_address: '10.0.0.8', legal_hold: 0 }, // not started
  { id: 9, started_at: '2026-06-15T08:00:00Z', service: 'voip', ip_address: '', legal_hold: 0 }, // redact due, column empty: keep
];
export const DELETED = [1, 2];
export const REDACTED = [4];
