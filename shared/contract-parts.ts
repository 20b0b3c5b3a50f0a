/**
 * The building blocks every part of the contract declares itself with: shared/contract.ts and the
 * service modules it gathers (annotation.ts, pacs.ts, sync.ts, …). A leaf module (zod only), so
 * each part imports it without importing another part.
 */
import { z } from 'zod';

/** A DICOM UID as the contract takes it: 1 to 64 digits and dots. */
export const Uid = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[0-9.]+$/, 'a DICOM UID has only digits and dots');

export interface MethodSpec<Req extends z.ZodType, Res extends z.ZodType> {
  readonly request: Req;
  readonly response: Res;
  readonly summary: string;
}

/** One method of the contract: its request and response schemas and what it does. */
export function method<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  summary: string,
): MethodSpec<Req, Res> {
  return { request, response, summary };
}
