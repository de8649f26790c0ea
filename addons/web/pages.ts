/**
 * The two HTML pages of the web client, rendered by the server: the client's shell
 * (`/web`: `<erp-app>` + the bundle from `/web/static/dist/`) and the login page
 * (`/web/login`: a plain form posting `login`, `password`, `csrf_token`, `redirect` back to
 * `/web/login`; it works without JavaScript, a one-line script only keeps a deep link's
 * `#fragment`). Strings are translated by the caller's `translate` (the registry's
 * catalogue, filled from every addon's `i18n/<lang>.po`).
 */
/** Translates a msgid into the page's language (the registry's catalogue, see core/i18n). */
export type Translate = (text: string) => string;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Only same-site paths are followed after login (no open redirects). */
export function safeRedirect(redirect: string | undefined): string {
  return redirect && /^\/(?![/\\])/.test(redirect) ? redirect : '/web';
}

function htmlLang(lang: string): string {
  return escapeHtml((lang || 'en_US').replace('_', '-'));
}

export interface WebClientPageOptions {
  title: string;
  lang: string;
  translate: Translate;
  csrfToken: string;
  /** Appended to the asset URLs (`?v=…`) to defeat stale caches after a rebuild. */
  assetVersion?: string;
}

/** The HTML document both pages share: language, viewport, no favicon request, a title. */
function pageShell(lang: string, title: string, head: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="${htmlLang(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

export function renderWebClientPage(opts: WebClientPageOptions): string {
  const v = opts.assetVersion ? `?v=${encodeURIComponent(opts.assetVersion)}` : '';
  const t = (s: string) => escapeHtml(opts.translate(s));
  return pageShell(opts.lang, opts.title, `<meta name="csrf-token" content="${escapeHtml(opts.csrfToken)}">
<link rel="stylesheet" href="/web/static/dist/main.css${v}">
<script type="module" src="/web/static/dist/main.js${v}"></script>`, `<erp-app></erp-app>
<noscript>${t('This application needs JavaScript.')}</noscript>`);
}

export interface LoginPageOptions {
  error?: string;
  lang: string;
  translate: Translate;
  csrfToken: string;
  db: string;
  /** Where to go after logging in (a same-site path); `/web` by default. */
  redirect?: string;
  /** The login typed before an error, to fill the field again. */
  login?: string;
  title?: string;
}

const LOGIN_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:16px;background:#f3f4f6;color:#1f2937;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}
main{width:100%;max-width:380px;background:#fff;border:1px solid #d8dadd;border-radius:8px;padding:32px 28px;box-shadow:0 4px 20px rgba(0,0,0,.06)}
h1{margin:0 0 4px;font-size:1.5rem;color:#714b67}
.db{margin:0 0 20px;color:#6b7280;font-size:.9rem}
label{display:block;font-weight:600;margin:14px 0 4px}
input[type=text],input[type=password]{width:100%;padding:9px 10px;font:inherit;border:1px solid #d8dadd;border-radius:4px}
input:focus{outline:2px solid #017e84;outline-offset:1px;border-color:#017e84}
button{width:100%;margin-top:22px;padding:10px;font:inherit;font-weight:600;color:#fff;background:#714b67;border:0;border-radius:4px;cursor:pointer}
button:hover{background:#5e3e56}
.error{margin:0 0 8px;padding:10px 12px;background:#fdecee;color:#a12622;border:1px solid #f5c2c0;border-radius:4px}
`;

/**
 * A deep link (`/web#action=…&id=…`) opened while logged out reaches this page with its
 * `#fragment` (browsers keep it across the redirect) but the server never sees it: append it
 * to `redirect` so the user lands on that record after logging in.
 */
const KEEP_HASH_JS = `(function(){var r=document.querySelector('form input[name=redirect]');if(r&&location.hash&&r.value.indexOf('#')===-1)r.value+=location.hash;})();`;

export function renderLoginPage(opts: LoginPageOptions): string {
  const t = (s: string) => escapeHtml(opts.translate(s));
  return pageShell(opts.lang, opts.title ?? opts.translate('Log in'), `<style>${LOGIN_CSS}</style>`, `<main>
<h1>${t('Log in')}</h1>
<p class="db">${t('Database')}: ${escapeHtml(opts.db)}</p>
${opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : ''}
<form method="post" action="/web/login">
<input type="hidden" name="csrf_token" value="${escapeHtml(opts.csrfToken)}">
<input type="hidden" name="redirect" value="${escapeHtml(safeRedirect(opts.redirect))}">
<input type="hidden" name="db" value="${escapeHtml(opts.db)}">
<label for="login">${t('Login')}</label>
<input type="text" id="login" name="login" value="${escapeHtml(opts.login ?? '')}" autocomplete="username" autocapitalize="none" autofocus required>
<label for="password">${t('Password')}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">${t('Log in')}</button>
</form>
</main>
<script>${KEEP_HASH_JS}</script>`);
}
