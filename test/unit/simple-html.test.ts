/**
 * The sanitiser's fast path (core/orm/fields/html.ts): for HTML it accepts, its output must be
 * exactly sanitize-html's; anything else must go to sanitize-html.
 */
import test from 'ava';
import sanitizeHtml from 'sanitize-html';
import { SANITIZE_OPTIONS, sanitizeHtmlValue, simpleHtml } from '../../core/orm/fields/html.ts';
import { seededRandom } from '../helpers/poll.ts';

/** sanitizeHtmlValue without the fast path: the sanitiser itself, with the same options. */
const slow = (html: string) => sanitizeHtml(html, SANITIZE_OPTIONS);

test('bare tags come out as the sanitiser writes them, without its parser', (t) => {
  const html = '<div>Good morning,</div><div><br></div><div>Best regards<br>Chloé Evans &eacute;</div>';
  t.is(simpleHtml(html), null, 'an entity other than those of escaped text: not simple');
  t.is(simpleHtml('<p>Your request &quot;a &amp; b&quot; &lt;x&gt; &#39;y&#39;</p>'), '<p>Your request "a &amp; b" &lt;x&gt; \'y\'</p>', 'escaped text (our own messages)');
  const plain = '<div>Good morning,</div><div><br></div><div>Best regards<br/>Chloé "Evans" > x</div>';
  t.is(simpleHtml(plain), '<div>Good morning,</div><div><br /></div><div>Best regards<br />Chloé "Evans" &gt; x</div>');
  t.is(sanitizeHtmlValue(plain), sanitizeHtml(plain, { allowedTags: ['div', 'br'] }));
  t.is(simpleHtml('<div>Thanks</div><blockquote type="cite"><div>Hello</div></blockquote>'), '<div>Thanks</div><blockquote><div>Hello</div></blockquote>', 'a quoted reply');
});

test('anything not provably simple goes to the sanitiser (scripts, attributes, entities, odd nesting)', (t) => {
  for (const html of ['<script>alert(1)</script>', '<div onclick="x">a</div>', '<img src=x onerror=alert(1)>', 'a &nbsp; b', 'a & b', 'a &amp b', '&#x27;', '<!-- c -->',
    '<p><div>x</div></p>', '<div>x', 'x</div>', '<b><i>x</b></i>', '<li><li>x</li></li>', '<div type="cite">x</div>', '<blockquote type="cite">x</blockquote type="cite">', '<blockquote type="other">x</blockquote>', '<DIV>x</DIV>', '<div >x</div>', '</br>', '<br></br>', '<a href="javascript:x">y</a>', '<iframe></iframe>', 'a\0b']) {
    t.is(simpleHtml(html), null, html);
  }
  t.is(sanitizeHtmlValue('<script>alert(1)</script><div onclick="x">a</div>'), '<div>a</div>');
});

test('on many generated documents the fast path and the sanitiser agree', (t) => {
  const pieces = ['<div>', '</div>', '<p>', '</p>', '<span>', '</span>', '<b>', '</b>', '<i>', '</i>', '<u>', '</u>', '<s>', '</s>', '<strong>', '</strong>', '<em>', '</em>',
    '<blockquote>', '</blockquote>', '<ul>', '</ul>', '<ol>', '</ol>', '<li>', '</li>', '<pre>', '</pre>', '<code>', '</code>', '<small>', '</small>', '<sub>', '</sub>', '<sup>', '</sup>',
    '<br>', '<br/>', '<br />', '<hr>', '<blockquote type="cite">', '<div type="cite">', '</blockquote type="cite">', '<blockquote type="x">', 'text', ' ', 'é ñ ü', '"q"', "'", '>', '\n', '\r\n', '\t', '\u00a0', 'a > b', '&quot;', '&amp;', '&lt;', '&gt;', '&#39;', '&amp;lt;', '&', 'lt;'];
  // Deterministic documents.
  const rand = seededRandom(42);
  let simple = 0;
  for (let i = 0; i < 20000; i++) {
    let html = '';
    const len = 1 + rand(12);
    // Half balanced by construction (so that many are simple), half random sequences.
    if (i % 2) {
      for (let k = 0; k < len; k++) html += pieces[rand(pieces.length)];
    } else {
      const open: string[] = [];
      for (let k = 0; k < len; k++) {
        const r = rand(4);
        if (r === 0 && open.length) html += `</${open.pop()}>`;
        else if (r === 1) { const tag = ['div', 'p', 'span', 'b', 'li', 'ul', 'em', 'blockquote', 'pre'][rand(9)]; open.push(tag); html += tag === 'blockquote' && rand(2) ? '<blockquote type="cite">' : `<${tag}>`; }
        else html += ['text', '<br>', ' x > y ', 'ñ', '"', '&quot;', '&amp;', '&lt;', '&gt;', '&#39;'][rand(10)];
      }
      while (open.length) html += `</${open.pop()}>`;
    }
    const fast = simpleHtml(html);
    if (fast === null) continue;
    simple++;
    if (fast !== slow(html)) t.fail(`${JSON.stringify(html)}: fast ${JSON.stringify(fast)}, sanitiser ${JSON.stringify(slow(html))}`);
  }
  t.true(simple > 3000, `${simple} simple documents compared`);
});

/** The fast path as it was written before (one regular expression match per token): the scanner must answer the same. */
function regexSimpleHtml(html: string): string | null {
  const TOKEN = /<(\/?)([a-z]+)( ?\/| type="cite")?>|([^<&\0]+)|(&(?:quot|amp|lt|gt|#39);)/y;
  const SIMPLE = new Set(['div', 'p', 'span', 'b', 'i', 'u', 's', 'strong', 'em', 'blockquote', 'ul', 'ol', 'li', 'pre', 'code', 'small', 'sub', 'sup']);
  const INLINE = new Set(['span', 'b', 'i', 'u', 's', 'strong', 'em', 'code', 'small', 'sub', 'sup', 'br']);
  const ENTITIES: Record<string, string> = { '&quot;': '"', '&amp;': '&amp;', '&lt;': '&lt;', '&gt;': '&gt;', '&#39;': "'" };
  const stack: string[] = [];
  let inP = 0;
  let out = '';
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < html.length) {
    const m = TOKEN.exec(html);
    if (!m) return null;
    const [, close, tag, selfClosing, text, entity] = m;
    if (entity !== undefined) { out += ENTITIES[entity]; continue; }
    if (text !== undefined) { out += text.replace(/>/g, '&gt;'); continue; }
    if (tag === 'br') { if (close) return null; out += '<br />'; continue; }
    if (selfClosing === ' type="cite"' ? tag !== 'blockquote' || close : selfClosing || !SIMPLE.has(tag)) return null;
    if (close) { if (stack.pop() !== tag) return null; if (tag === 'p') inP--; out += `</${tag}>`; continue; }
    if (inP && !INLINE.has(tag)) return null;
    if (tag === 'li' && stack[stack.length - 1] === 'li') return null;
    if (tag === 'p') inP++;
    stack.push(tag);
    out += `<${tag}>`;
  }
  return stack.length ? null : out;
}

test('the character scanner answers as the regular expression did, on random text and tags', (t) => {
  const pieces = ['<', '>', '/', ' ', '&', ';', '\0', 'a', 'br', 'div', 'p', 'li', 'blockquote', 'b', 'DIV', 'x', '"', '=', 'type="cite"', ' type="cite"', 'quot', 'amp', 'lt', 'gt', '#39', '#x27',
    '<br>', '<br/>', '<br />', '</br>', '<br type="cite">', '<div>', '</div>', '<p>', '</p>', '<li>', '</li>', '<blockquote type="cite">', '</blockquote>', '&quot;', '&amp;', '&#39;', '&lt;', '&gt;', 'é', '😀', '\n', 'text > more'];
  const rand = seededRandom(7);
  let simple = 0;
  for (let i = 0; i < 50000; i++) {
    let html = '';
    const len = rand(16);
    for (let k = 0; k < len; k++) html += pieces[rand(pieces.length)];
    const expected = regexSimpleHtml(html);
    const got = simpleHtml(html);
    if (got !== null) simple++;
    if (got !== expected) t.fail(`${JSON.stringify(html)}: scanner ${JSON.stringify(got)}, regular expression ${JSON.stringify(expected)}`);
  }
  for (const html of ['', '<div>plain</div>', '<div>a<br />b</div>', 'a &amp; b &lt; c', '<div>a<br>b</div>', '<blockquote type="cite"><p>x &quot;y&quot; > z</p></blockquote>']) {
    t.is(simpleHtml(html), regexSimpleHtml(html), html);
  }
  t.true(simple > 2000, `${simple} simple documents compared`);
});
