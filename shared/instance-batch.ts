/**
 * Several stored instances in one answer: `GET /instance-batch/<uid>,<uid>,…` (both hosts, the
 * same route code: main/core/routes.ts), read by the frame worker as the bytes arrive
 * (renderer/src/imaging/instanceBatch.ts). One request per few files instead of one per file cuts
 * the per-request work of the browser, its network service and the host.
 *
 * The body: the 4 bytes of `INSTANCE_BATCH_MAGIC`, then one record per UID asked for, in the
 * order asked: a status byte, the payload's length (unsigned 32-bit little endian), the payload.
 * - `RECORD_FILE`: the payload is the stored file's bytes (what `/instances/<uid>` sends).
 * - `RECORD_REFUSED`: the payload is the typed error as UTF-8 JSON `{ code, message }` (missing,
 *   altered, beyond the answer's byte budget…), at most `MAX_REFUSAL_BYTES`; that file only.
 * A failure while a file's bytes are being sent (a read error) ends the answer early: the records
 * not complete are failures for the reader, who loads those files one by one.
 */
export const INSTANCE_BATCH_PATH = '/instance-batch/';
/**
 * A SOP Instance UID as the routes accept it in `/instances/<uid>` and `/instance-batch/…`: digits
 * and dots, at most 64 (a RegExp source, not anchored). The hosts refuse anything else; the viewer
 * batches only the URLs that name one.
 */
export const SOP_INSTANCE_UID_PATTERN = '[0-9.]{1,64}';
export const INSTANCE_BATCH_TYPE = 'application/vnd.radlabel.instance-batch';
/** "RLB1". */
export const INSTANCE_BATCH_MAGIC = [0x52, 0x4c, 0x42, 0x31] as const;
export const RECORD_FILE = 0;
export const RECORD_REFUSED = 1;
export const RECORD_HEADER_BYTES = 5;
/** At most this many UIDs per request (more: a 400). */
export const MAX_BATCH_FILES = 16;
/**
 * At most this many file bytes per answer: a file that would go past it is refused with
 * `too-large` (and so is every later one), and the reader loads it alone.
 */
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;
export const MAX_REFUSAL_BYTES = 4096;
