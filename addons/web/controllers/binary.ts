/**
 * Attachments over plain HTTP: multipart upload (`POST /web/binary/upload_attachment`,
 * CSRF-protected, JSON answer) and download (`GET /web/content/<id>`). Both run as the
 * logged-in user, so the ORM's document-linked access applies: who cannot read the
 * attachment's document gets 403/404, never the bytes.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { AccessError, err, isExposedError, MissingError, ValidationError } from '../../../core/errors.ts';
import { BadRequest, type HttpServices, SessionExpired, csrfMatches, exposeError, httpStatusOf, parseForm, readBody } from '../../../core/http/index.ts';

/** Types a browser could run as a page from our origin: always downloaded, never inline. */
const ACTIVE_TYPES = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/javascript|application\/javascript)/i;

function sendJsonError(ctx: Context, http: HttpServices, err: unknown): void {
  ctx.status = httpStatusOf(err);
  ctx.type = 'application/json';
  ctx.body = JSON.stringify({ error: http.t(ctx, exposeError(err, `${ctx.method} ${ctx.path}`).message) });
}

export function binaryRoutes(router: Router, http: HttpServices): void {
  router.post('/web/binary/upload_attachment', async (ctx) => {
    try {
      const session = await http.loadSession(ctx);
      if (!session?.uid) throw new SessionExpired(http.t(ctx, 'Session expired'));
      ctx.state.lang = await http.langOf(session);
      const type = ctx.get('content-type');
      if (!/^multipart\/form-data/i.test(type)) throw new BadRequest(`Bad Content-Type '${type.slice(0, 60)}': upload files as multipart/form-data`);
      const form = await parseForm(type, await readBody(ctx, http.limitBytes));
      if (!csrfMatches(session, form.get('csrf_token'))) throw new BadRequest(http.t(ctx, 'Invalid or missing CSRF token: reload the page and try again.'));
      const model = form.get('model');
      const rawId = form.get('id');
      if (typeof model !== 'string' || !http.app.registry.has(model)) throw err(ValidationError, 'Unknown model %s for the attachment', JSON.stringify(model));
      const resId = Number(typeof rawId === 'string' && rawId !== '' ? rawId : 0);
      if (!Number.isInteger(resId) || resId < 0) throw err(ValidationError, 'Invalid record id %s for the attachment', JSON.stringify(rawId));
      const files = form.getAll('ufile').filter((f): f is File => typeof f !== 'string');
      if (!files.length) throw new ValidationError('No file received (field ufile)');
      const contents = await Promise.all(files.map(async (f) => ({ name: f.name || 'file', mimetype: f.type || undefined, data: Buffer.from(await f.arrayBuffer()) })));
      const out = await http.app.withEnv(session.uid, async (env) => {
        const vals = contents.map((c) => ({ name: c.name, res_model: model, res_id: resId, datas: c.data, ...(c.mimetype && c.mimetype !== 'application/octet-stream' ? { mimetype: c.mimetype } : {}) }));
        const created = await env.model('ir.attachment').create(vals);
        return created.read(['name', 'mimetype', 'file_size']);
      });
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(out.map((a) => ({ id: a.id, name: a.name, mimetype: a.mimetype, file_size: a.file_size })));
    } catch (err) {
      sendJsonError(ctx, http, err);
    }
  });

  router.get(['/web/content/:id', '/web/content/:id/:filename'], async (ctx) => {
    const session = await http.loadSession(ctx);
    if (!session?.uid) {
      ctx.redirect(`/web/login?redirect=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }
    ctx.state.lang = await http.langOf(session);
    const id = Number(ctx.params.id);
    try {
      if (!Number.isInteger(id) || id <= 0) throw err(MissingError, "Invalid attachment id '%s'", String(ctx.params.id).slice(0, 20));
      const [att] = await http.app.withEnv(session.uid, (env) => env.model('ir.attachment').browse([id]).read(['name', 'mimetype', 'datas', 'type', 'url', 'checksum']));
      if (att.type === 'url') {
        const url = String(att.url ?? '');
        if (!/^https?:\/\//i.test(url)) throw new MissingError('This attachment has no content');
        ctx.redirect(url);
        return;
      }
      const data = typeof att.datas === 'string' ? Buffer.from(att.datas, 'base64') : Buffer.alloc(0);
      const mimetype = String(att.mimetype || 'application/octet-stream');
      const download = ctx.query.download === 'true' || ctx.query.download === '1' || ACTIVE_TYPES.test(mimetype);
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
      ctx.set('Cache-Control', 'private, max-age=0, must-revalidate');
      if (att.checksum) ctx.set('ETag', `"${att.checksum}"`);
      // Koa's attachment() writes Content-Disposition (RFC 6266 filename*) and guesses a type.
      const filename = String(att.name || `attachment-${id}`);
      const ascii = filename.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]|["\\]/g, '_');
      ctx.attachment(filename, { type: download ? 'attachment' : 'inline', fallback: ascii });
      ctx.type = ACTIVE_TYPES.test(mimetype) ? 'application/octet-stream' : mimetype;
      if (att.checksum && ctx.get('if-none-match') === `"${att.checksum}"`) { ctx.status = 304; return; }
      ctx.body = data;
    } catch (err) {
      ctx.status = err instanceof AccessError ? 403 : err instanceof MissingError ? 404 : isExposedError(err) ? 400 : 500;
      ctx.type = 'text/plain';
      ctx.body = http.t(ctx, exposeError(err, `GET ${ctx.path}`).message);
    }
  });
}
