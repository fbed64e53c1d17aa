/** Reading request bodies: JSON only, small, and refused before parsing when too big. */
import { VerifyError } from '../errors.ts';

/** Our bodies are a few hundred bytes; anything near this is abuse. */
export const MAX_BODY_BYTES = 8 * 1024;

export async function readJsonBody(request: Request, { allowEmpty = false, allowForm = false } = {}): Promise<Record<string, unknown>> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) {
    throw new VerifyError('invalid_request', `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  const text = await readLimited(request);
  if (text.trim() === '' && allowEmpty) return {};
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (allowForm && type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new VerifyError('unsupported_media_type', 'Send the body as application/json.');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new VerifyError('invalid_request', 'The body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new VerifyError('invalid_request', 'The body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/** The body as text, stopping as soon as it passes the limit (a missing Content-Length proves nothing). */
async function readLimited(request: Request): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new VerifyError('invalid_request', `The body is larger than ${MAX_BODY_BYTES} bytes.`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new VerifyError('invalid_request', 'The body is not UTF-8.');
  }
}
