/**
 * The logged-in user as the server described it (`/web/session/get_session_info`), and the
 * context every call carries (lang, tz, uid). Set once by `erp-app` at start-up.
 */
import type { Context, SessionInfo } from './types.ts';

let info: SessionInfo | null = null;

export function setSession(value: SessionInfo): void {
  info = value;
}

export function session(): SessionInfo {
  if (!info) throw new Error('The session is not loaded yet');
  return info;
}

export function hasSession(): boolean {
  return info !== null;
}

/** `{lang, tz, uid}` of the user: the base of every call's context. */
export function userContext(): Context {
  return info ? { ...info.user_context, uid: info.uid } : {};
}

/** CSRF token for plain-HTTP posts (uploads): the session's, or the page's meta tag. */
export function csrfToken(): string {
  return info?.csrf_token || document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content || '';
}
