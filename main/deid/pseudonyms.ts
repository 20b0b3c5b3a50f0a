/**
 * Everything derived from a per-project key with a keyed hash (HMAC-SHA-256), so the same
 * original always maps to the same pseudonym in a project on any machine holding the secret, and
 * nobody without it can map back. The key is HKDF-SHA-256 of the project secret with the project
 * ID as info, so the same patient gets unrelated UIDs, pseudonym and date offset in two projects
 * even when they share the secret (changing the project ID changes more than the prefix).
 * The app's default project, `LOCAL`, keeps the key it had before per-project keys (the secret
 * itself), so its earlier exports stay consistent with new ones: no other project uses the
 * secret directly, so it stays unrelated to every other project (docs/deid.md, Pseudonyms).
 *
 * - UIDs → `2.25.<decimal of the first 128 bits>` (PS3.5 B.2: a UUID-derived UID).
 * - Patient → `<projectId>-<10 base-32 characters>` from PatientID and IssuerOfPatientID.
 * - Date offset → whole days in [-3650, -30], per patient: intervals inside a patient's studies
 *   are exact, and times of day are kept (they shift by whole days).
 */
import crypto from 'node:crypto';

/** The project whose pseudonyms derive from the secret itself, as every project's did before. */
export const LEGACY_KEY_PROJECT_ID = 'LOCAL';

/** The key a project's pseudonyms derive from: HKDF-SHA-256(secret, salt, info = project ID). */
export function projectKey(secret: Uint8Array, projectId: string): Uint8Array {
  if (projectId === LEGACY_KEY_PROJECT_ID) return secret;
  return Buffer.from(
    crypto.hkdfSync(
      'sha256',
      secret,
      Buffer.from('radlabel-deid-project-key'),
      Buffer.from(projectId, 'utf8'),
      32,
    ),
  );
}

export class Pseudonymizer {
  readonly #key: Uint8Array;
  readonly #uids = new Map<string, string>();

  constructor(
    secret: Uint8Array,
    readonly projectId: string,
  ) {
    if (secret.length < 16) throw new RangeError('project secret must have at least 16 bytes');
    this.#key = projectKey(secret, projectId);
  }

  #hmac(domain: string, value: string): Buffer {
    return crypto
      .createHmac('sha256', this.#key)
      .update(domain)
      .update('\0')
      .update(value, 'latin1')
      .digest();
  }

  /** Well-known UIDs (transfer syntaxes, SOP classes, coding schemes) are not identifying. */
  static isWellKnown(uid: string): boolean {
    return uid.startsWith('1.2.840.10008.');
  }

  uid(original: string): string {
    if (original === '' || Pseudonymizer.isWellKnown(original)) return original;
    let mapped = this.#uids.get(original);
    if (!mapped) {
      const digest = this.#hmac('uid', original);
      mapped = `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString(10)}`;
      if (this.#uids.size > 100_000) this.#uids.clear();
      this.#uids.set(original, mapped);
    }
    return mapped;
  }

  /** The key a patient is known by: issuer and id (name only when there is no id). */
  static patientKey(patientId: string, issuer: string, patientName: string): string {
    return patientId ? `${issuer}\\${patientId}` : `name:${patientName}`;
  }

  patientPseudonym(patientKey: string): string {
    const digest = this.#hmac('patient', patientKey);
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    let code = '';
    for (let i = 0; i < 10; i += 1) code += alphabet[digest[i]! % 32];
    const prefix = this.projectId.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 40);
    return prefix ? `${prefix}-${code}` : code;
  }

  dateOffsetDays(patientKey: string): number {
    const digest = this.#hmac('date-offset', patientKey);
    return -(30 + (digest.readUInt32BE(0) % (3650 - 30 + 1)));
  }
}
