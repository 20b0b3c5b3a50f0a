/**
 * Per-launch token authentication for the web host. The token is printed once in the URL; the
 * first visit trades it for an HttpOnly, SameSite=Strict cookie. Every request must carry the
 * cookie or an `Authorization: Bearer` header. The Host header must name loopback (DNS rebinding).
 *
 * Cookies ignore the port: every host on 127.0.0.1 shares one cookie jar in the browser. The
 * cookie's name is therefore chosen per launch too (`radlabel_<random>`), so a second web host on
 * the same machine sets its own cookie instead of overwriting the first one's, and both tabs stay
 * signed in.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Every session cookie's name starts with this; the rest is random per launch. */
export const TOKEN_COOKIE_PREFIX = 'radlabel_';

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** A per-launch cookie name: `radlabel_` and 16 hex digits (valid cookie-name characters only). */
export function newCookieName(): string {
  return `${TOKEN_COOKIE_PREFIX}${crypto.randomBytes(8).toString('hex')}`;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    cookies.set(part.slice(0, index).trim(), part.slice(index + 1).trim());
  }
  return cookies;
}

/** The token a request presents, from this launch's cookie or a bearer header. */
export function presentedToken(request: IncomingMessage, cookieName: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1];
  return parseCookies(request.headers.cookie).get(cookieName);
}

export function isAuthorized(request: IncomingMessage, token: string, cookieName: string): boolean {
  const presented = presentedToken(request, cookieName);
  return presented !== undefined && sameSecret(presented, token);
}

/** Only loopback names with our port: a page on another origin cannot rebind a name onto us. */
export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader.toLowerCase());
}

/** Browsers send Origin on cross-origin requests and WebSocket upgrades; it must be ours. */
export function isAllowedOrigin(originHeader: string | undefined, port: number): boolean {
  if (originHeader === undefined) return true;
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`].includes(
    originHeader.toLowerCase(),
  );
}

export function tokenCookie(cookieName: string, token: string): string {
  return `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

export function tokensEqual(a: string, b: string): boolean {
  return sameSecret(a, b);
}
